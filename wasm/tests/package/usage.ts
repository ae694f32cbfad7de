// The package's TypeScript types as a front end uses them. wasm/scripts/test-package.sh type-checks
// this file with `tsc --noEmit --strict` against the installed package, twice: moduleResolution
// "bundler" (Next.js, Vite: index.d.ts) and "nodenext" (a Node server route: node/*.d.ts).
// It calls every export and reads every field of every result with its declared type, and the
// `...rest` checks make a field added to a declaration fail here too, so the declarations in
// wasm/bindings/src/lib.rs cannot lose or gain a field, an export or a parameter unnoticed
// (check.mjs holds the objects the module really returns to the same declarations).
// Also checks that the fixture's records (inputs.json, written by the native core) are assignable to
// the declared input types. Never run: only type-checked.

import * as metrics from 'callduck-metrics';
import {
  CallBatch, CustomerIndex, SmsBatch, computeCallMetrics, computeCallMetricsColumnar, computeSmsMetrics,
  computeSmsMetricsColumnar, dailyGoalMetrics, dailyGoalMetricsColumnar, goalPace, goalPeriodBounds,
  searchCustomers, version,
  type AgentCallMetrics, type AgentEntry, type AgentSmsCounts, type CallColumnsInput, type ContactEntry,
  type ContactSms, type Customer, type CustomerMatch, type GoalPace, type GoalPeriod, type JustCallCall,
  type JustCallMetrics, type JustCallSms, type MetricsOptions, type PaceInput, type ResponseTimes,
  type SearchOptions, type SmsColumnsInput, type SmsMetrics, type UserDayGoals,
} from 'callduck-metrics';
import init, { initSync, CallBatch as WebCallBatch } from 'callduck-metrics/web';
import inputs from './inputs.json' with { type: 'json' };

/** Every export of the main entry, once: a new export fails here until it is listed (and used). */
const everyExport: { [K in keyof typeof metrics]: true } = {
  CallBatch: true, CustomerIndex: true, SmsBatch: true, computeCallMetrics: true,
  computeCallMetricsColumnar: true, computeSmsMetrics: true, computeSmsMetricsColumnar: true,
  dailyGoalMetrics: true, dailyGoalMetricsColumnar: true, goalPace: true, goalPeriodBounds: true,
  searchCustomers: true, version: true,
};

/** Holds `rest` to be empty: the destructuring before it named every field. */
function none(rest: Record<string, never>): void {
  void rest;
}

// The fixture's records are what the declared input types accept.
const calls: JustCallCall[] = inputs.calls;
const sms: JustCallSms[] = inputs.sms;
const customers: Customer[] = inputs.customers;

// Records as a front end writes them, and every option.
const call: JustCallCall = {
  id: 1, call_date: '2026-03-02', call_time: '14:05:00', agent_id: 8, agent_email: 'ana@x.com',
  agent_name: 'Ana', contact_number: '+13475550100',
  call_info: { direction: 'Incoming', type: 'Answered' }, call_duration: { total_duration: 125 },
};
const text: JustCallSms = {
  id: '2', sms_date: '2026-03-02', sms_time: '14:06:00', direction: 'Outgoing', agent_id: null,
  agent_email: 'ana@x.com', contact_number: '+13475550100', delivery_status: 'delivered',
  is_deleted: false, medium: 'SMS',
};
const options: MetricsOptions = {
  from: '2026-03-01', to: '2026-03-31', agent: 'ana@x.com', direction: 'Incoming',
  timeZone: 'America/New_York', agentTimeZones: { '8': 'America/Los_Angeles' },
};
const byId: MetricsOptions = { agent: 8, direction: null, from: null };

function readCallMetrics(m: JustCallMetrics): number {
  const { totalCalls, inboundCalls, outboundCalls, completedCalls, missedCalls, totalDuration,
    averageDuration, callsByDay, callsByStatus, ...rest } = m;
  none(rest);
  const perDay: number[] = Object.values(callsByDay);
  const perStatus: [string, number][] = Object.entries(callsByStatus);
  return totalCalls + inboundCalls + outboundCalls + completedCalls + missedCalls + totalDuration
    + averageDuration + perDay.length + perStatus.length;
}

function readAgent(a: { agentId: number | null; agentEmail: string | null; agentName: string | null }): string {
  return `${a.agentId ?? ''}${a.agentEmail ?? ''}${a.agentName ?? ''}`;
}

function readAgentCallMetrics(rows: AgentCallMetrics[]): number {
  return rows.reduce((s, a) => {
    const { agentId, agentEmail, agentName, totalCalls, inboundCalls, outboundCalls, completedCalls,
      missedCalls, totalDuration, averageDuration, callsByDay, callsByStatus, ...rest } = a;
    none(rest);
    return s + readAgent({ agentId, agentEmail, agentName }).length + readCallMetrics({ totalCalls,
      inboundCalls, outboundCalls, completedCalls, missedCalls, totalDuration, averageDuration,
      callsByDay, callsByStatus });
  }, 0);
}

function readResponseTimes(r: ResponseTimes): number {
  const { responses, unanswered, averageSeconds, medianSeconds, maxSeconds, ...rest } = r;
  none(rest);
  return responses + unanswered + (averageSeconds ?? 0) + (medianSeconds ?? 0) + (maxSeconds ?? 0);
}

function readContact(c: ContactSms): number {
  const { contact, name, sent, received, replied, responses, averageResponseSeconds, ...rest } = c;
  none(rest);
  return contact.length + (name ?? '').length + sent + received + (replied ? 1 : 0) + responses
    + (averageResponseSeconds ?? 0);
}

function readSmsMetrics(m: SmsMetrics): number {
  const { totalSent, totalReceived, deleted, automatedSent, sentByDay, receivedByDay, byContact,
    contactsMessaged, contactsReplied, responseRate, firstResponse, deliveryFailures,
    deliveryFailureRate, byDeliveryStatus, ...rest } = m;
  none(rest);
  const days: Record<string, number> = { ...sentByDay, ...receivedByDay, ...byDeliveryStatus };
  return totalSent + totalReceived + deleted + automatedSent + Object.keys(days).length
    + byContact.reduce((s, c) => s + readContact(c), 0) + contactsMessaged + contactsReplied
    + (responseRate ?? 0) + readResponseTimes(firstResponse) + deliveryFailures + (deliveryFailureRate ?? 0);
}

function readAgentSmsCounts(rows: AgentSmsCounts[]): number {
  return rows.reduce((s, a) => {
    const { agentId, agentEmail, agentName, totalSent, totalReceived, deleted, automatedSent,
      deliveryFailures, ...rest } = a;
    none(rest);
    return s + readAgent({ agentId, agentEmail, agentName }).length + totalSent + totalReceived
      + deleted + automatedSent + deliveryFailures;
  }, 0);
}

function readGoals(rows: UserDayGoals[]): number {
  return rows.reduce((s, g) => {
    const { agentId, agentEmail, agentName, date, phone_call_quantity, talk_time_minutes,
      sms_quantity, talk_time_seconds, ...rest } = g;
    none(rest);
    return s + readAgent({ agentId, agentEmail, agentName }).length + date.length + phone_call_quantity
      + talk_time_minutes + sms_quantity + talk_time_seconds;
  }, 0);
}

function readPace(p: GoalPace): string {
  const { target, current, totalDays, elapsedDays, remainingDays, expected, delta, progressPercent,
    pacePercent, status, perDayTarget, ...rest } = p;
  none(rest);
  const label: 'ahead' | 'on-pace' | 'behind' = status;
  return `${label} ${target + current + totalDays + elapsedDays + remainingDays + expected + delta
    + progressPercent + pacePercent + perDayTarget}`;
}

function readMatches(matches: CustomerMatch[]): string[] {
  return matches.map((m) => {
    const { id, name, score, matched, ...rest } = m;
    none(rest);
    return `${id} ${name} ${score.toFixed(3)} ${matched}`;
  });
}

// Every function and method, with and without options.
let total = readCallMetrics(computeCallMetrics(calls)) + readCallMetrics(computeCallMetrics([call], options))
  + readSmsMetrics(computeSmsMetrics(sms, byId)) + readSmsMetrics(computeSmsMetrics([text]))
  + readGoals(dailyGoalMetrics(calls, sms, options)) + readGoals(dailyGoalMetrics(null, [text]))
  + readGoals(dailyGoalMetrics(undefined, null, null));

const callBatch: CallBatch = CallBatch.fromCalls(calls);
const smsBatch: SmsBatch = SmsBatch.fromSms(sms);
const callFile: Uint8Array = callBatch.toBytes({ source: 'usage.ts' });
const smsFile: Uint8Array = smsBatch.toBytes();
const fromFile = CallBatch.fromBytes(callFile);
const smsFromFile = SmsBatch.fromBytes(Array.from(smsFile));
const agents: AgentEntry[] = [{ id: 8, email: 'ana@x.com', name: 'Ana' }, { id: null, email: null, name: null }];
const contacts: ContactEntry[] = [{ key: '+13475550100', name: null }];
const callColumns: CallColumnsInput = {
  id: new Float64Array([1]), startedAt: new Float64Array([1_772_460_300]), direction: new Uint8Array([0]),
  callType: new Uint32Array([0]), totalDuration: new Int32Array([125]), agent: new Uint32Array([0]),
  callTypes: ['Answered', null], agents,
};
const smsColumns: SmsColumnsInput = {
  id: new Float64Array([2]), sentAt: new Float64Array([1_772_460_360]), direction: new Uint8Array([1]),
  deleted: new Uint8Array([0]), agent: new Uint32Array([0]), contact: new Uint32Array([0]),
  medium: new Uint32Array([0]), deliveryStatus: new Uint32Array([0]), agents, contacts,
  mediums: ['SMS'], deliveryStatuses: [null],
};
const columnBatch = new CallBatch(callColumns);
const smsColumnBatch = new SmsBatch(smsColumns);
total += readCallMetrics(callBatch.computeCallMetrics(options)) + readCallMetrics(fromFile.computeCallMetrics())
  + readAgentCallMetrics(callBatch.callMetricsByAgent({ timeZone: 'America/New_York' }))
  + readGoals(columnBatch.dailyGoalMetrics()) + readSmsMetrics(smsBatch.computeSmsMetrics(null))
  + readAgentSmsCounts(smsFromFile.smsCountsByAgent(options)) + readGoals(smsColumnBatch.dailyGoalMetrics(options))
  + readCallMetrics(computeCallMetricsColumnar(callColumns, options))
  + readSmsMetrics(computeSmsMetricsColumnar(smsColumns))
  + readGoals(dailyGoalMetricsColumnar(callBatch, smsBatch, options))
  + callBatch.length + smsBatch.length;

const period: GoalPeriod = 'weekly';
const paceInputs: PaceInput[] = [
  { target: 300, current: 120, totalDays: 30, elapsedDays: 10 },
  { target: 20, current: 18, period, today: '2026-03-07' },
  { target: 100, current: 45, startDate: '2026-03-01', endDate: '2026-03-10', today: '2026-03-05' },
];
const paces: string[] = paceInputs.map((p) => readPace(goalPace(p)));
const [first, last]: [string, string] = goalPeriodBounds(period, '2026-03-07');

const search: SearchOptions = { limit: 3, minScore: 0.5 };
const index = new CustomerIndex(customers);
const found: string[] = [...readMatches(searchCustomers('Acme Supply', customers)),
  ...readMatches(searchCustomers('tcc', [{ id: 'x', name: null }], search)), ...readMatches(index.search('smith', search))];

// Memory: free() by hand, or `using` where the toolchain has explicit resource management.
for (const b of [callBatch, smsBatch, fromFile, smsFromFile, columnBatch, smsColumnBatch, index]) b.free();
const v: string = version();

// `callduck-metrics/web`: init() (fetches the .wasm beside the module, or a URL or bytes given),
// or initSync with the bytes or a compiled WebAssembly.Module.
declare const wasmBytes: Uint8Array;
async function loadWeb(): Promise<number> {
  await init();
  await init({ module_or_path: new URL('/assets/callduck_metrics_bg.wasm', 'https://example.invalid/') });
  initSync({ module: wasmBytes });
  return WebCallBatch.fromCalls([call]).computeCallMetrics().totalCalls;
}

export const used = [everyExport, total, paces, first, last, found, v, loadWeb];
