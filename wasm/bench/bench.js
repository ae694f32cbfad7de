// The benchmark page: the seed's calculateMetrics in plain JavaScript over call records versus
// the module's columnar path over the same calls, in the same page. Results land in
// window.__bench for wasm/bench/run.mjs, and on the page.

import init, { CallBatch, computeCallMetricsColumnar, version } from '../../pkg/web/callduck_metrics.js';

const params = new URLSearchParams(location.search);
const N = Number(params.get('n') || 1_000_000);
const RUNS = Number(params.get('runs') || 7);

// mulberry32: a small deterministic generator.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = ['Answered', 'Answered', 'Answered', 'Answered', 'Missed', 'Unanswered', 'Voicemail',
  'Abandoned before ringing', 'In Progress', null];
const AGENTS = Array.from({ length: 12 }, (_, i) => ({
  id: 100 + i, email: `Agent${i}@Kanva.example`, name: `Agent ${i}`,
}));

// JustCall call records as /v2.1/calls returns them (the fields calculateMetrics reads, and a
// few more), over 90 days in time order.
function makeCalls(n) {
  const r = rng(42);
  const start = Date.UTC(2026, 0, 1) / 1000;
  const span = 90 * 86400;
  const pad = (x) => String(x).padStart(2, '0');
  const calls = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = start + Math.floor((i / n) * span + r() * 60);
    const d = new Date(t * 1000);
    const agent = AGENTS[Math.floor(r() * AGENTS.length)];
    const type = TYPES[Math.floor(r() * TYPES.length)];
    const talk = type === 'Answered' ? Math.floor(r() * 1800) : 0;
    calls[i] = {
      id: 1_000_000 + i,
      contact_number: `+1347555${String(Math.floor(r() * 10000)).padStart(4, '0')}`,
      agent_id: agent.id,
      agent_email: agent.email,
      agent_name: agent.name,
      call_date: d.toISOString().slice(0, 10),
      call_time: `${d.getUTCHours()}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
      call_info: { direction: r() < 0.5 ? 'Incoming' : 'Outgoing', type },
      call_duration: { total_duration: talk, conversation_time: talk },
    };
  }
  return calls;
}

// The seed's calculateMetrics (copper-goals-tracker lib/justcall/client.ts, as described in
// shared/seed/JUSTCALL_INTEGRATION.md), with the whole-value outcome rule the module uses: the
// seed's substring test counted "Unanswered" as both completed and missed.
const IN_PROGRESS = new Set(['in progress', 'in-progress', 'ongoing', 'ringing', 'initiated']);
function calculateMetrics(calls) {
  const metrics = {
    totalCalls: calls.length, inboundCalls: 0, outboundCalls: 0, completedCalls: 0, missedCalls: 0,
    totalDuration: 0, averageDuration: 0, callsByDay: {}, callsByStatus: {},
  };
  calls.forEach((call) => {
    if (call.call_info.direction === 'Incoming') metrics.inboundCalls++;
    else metrics.outboundCalls++;
    const type = (call.call_info.type || '').trim().toLowerCase();
    if (type === 'answered') metrics.completedCalls++;
    else if (type !== '' && !IN_PROGRESS.has(type)) metrics.missedCalls++;
    metrics.totalDuration += call.call_duration?.total_duration || 0;
    const day = call.call_date;
    metrics.callsByDay[day] = (metrics.callsByDay[day] || 0) + 1;
    const status = call.call_info.type || 'Unknown';
    metrics.callsByStatus[status] = (metrics.callsByStatus[status] || 0) + 1;
  });
  metrics.averageDuration = metrics.totalCalls > 0 ? metrics.totalDuration / metrics.totalCalls : 0;
  return metrics;
}

// calculateMetrics with callsByDay as local days of a zone, the plain-JavaScript way: one
// Intl.DateTimeFormat, asked for every call (what the module does, per transition, instead).
function calculateMetricsInZone(calls, timeZone) {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const m = calculateMetrics(calls);
  m.callsByDay = {};
  for (const c of calls) {
    const day = fmt.format(Date.parse(`${c.call_date}T${c.call_time.padStart(8, '0')}Z`));
    m.callsByDay[day] = (m.callsByDay[day] || 0) + 1;
  }
  return m;
}

// Zones of the twelve agents for the per-agent-zone measurements: both hemispheres, half-hour and
// 45-minute offsets.
const AGENT_ZONES = ['America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Europe/London',
  'Australia/Lord_Howe', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/Sao_Paulo', 'Pacific/Auckland',
  'Africa/Cairo', 'America/St_Johns', 'Asia/Tokyo'];

// What the dashboard does on a filter change without the module: filter, then recompute.
function filteredJs(calls, email, from, to) {
  const e = email.toLowerCase();
  return calculateMetrics(calls.filter((c) => (c.agent_email || '').trim().toLowerCase() === e
    && c.call_date >= from && c.call_date <= to));
}

// The columnar batch a JavaScript producer builds (callduck export dashboard writes the same).
function toColumns(calls) {
  const n = calls.length;
  const cols = {
    id: new Float64Array(n), startedAt: new Float64Array(n), direction: new Uint8Array(n),
    callType: new Uint32Array(n), totalDuration: new Int32Array(n), agent: new Uint32Array(n),
    callTypes: [], agents: [],
  };
  const types = new Map();
  const agents = new Map();
  for (let i = 0; i < n; i++) {
    const c = calls[i];
    cols.id[i] = c.id;
    cols.startedAt[i] = Date.parse(`${c.call_date}T${c.call_time.padStart(8, '0')}Z`) / 1000;
    cols.direction[i] = c.call_info.direction === 'Outgoing' ? 1 : 0;
    const ty = c.call_info.type ?? null;
    let code = types.get(ty);
    if (code === undefined) { code = cols.callTypes.length; types.set(ty, code); cols.callTypes.push(ty); }
    cols.callType[i] = code;
    cols.totalDuration[i] = c.call_duration?.total_duration || 0;
    const key = `${c.agent_id}|${c.agent_email}|${c.agent_name}`;
    let a = agents.get(key);
    if (a === undefined) {
      a = cols.agents.length; agents.set(key, a);
      cols.agents.push({ id: c.agent_id ?? null, email: c.agent_email ?? null, name: c.agent_name ?? null });
    }
    cols.agent[i] = a;
  }
  return cols;
}

function time(fn) {
  const t0 = performance.now();
  const result = fn();
  return [performance.now() - t0, result];
}

function median(fn, runs = RUNS) {
  fn(); fn(); // warm up (JIT, wasm tier-up)
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const [t, r] = time(fn);
    times.push(t);
    result = r;
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], min: times[0], result };
}

function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  }
  return v;
}
const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

async function main() {
  const out = {};
  const [tInit] = [await (async () => { const t0 = performance.now(); await init(); return performance.now() - t0; })()];
  out.version = version();
  out.n = N;
  out.initMs = tInit;
  const [tGen, calls] = time(() => makeCalls(N));
  out.generateMs = tGen;
  const [tCols, cols] = time(() => toColumns(calls));
  out.buildColumnsMs = tCols;
  const [tLoad, batch] = time(() => new CallBatch(cols));
  out.loadBatchMs = tLoad;

  const js = median(() => calculateMetrics(calls));
  const wasm = median(() => batch.computeCallMetrics({ timeZone: 'UTC' }));
  const oneShot = median(() => computeCallMetricsColumnar(cols, { timeZone: 'UTC' }));
  // Time zones: the first computation in a zone asks Intl for its offsets (cold cache), later ones
  // reuse them.
  const [tColdZone] = time(() => batch.computeCallMetrics({ timeZone: 'America/New_York' }));
  const ny = median(() => batch.computeCallMetrics({ timeZone: 'America/New_York' }));
  const agentTimeZones = Object.fromEntries(AGENTS.map((a, i) => [a.id, AGENT_ZONES[i]]));
  const [tColdAgents] = time(() => batch.computeCallMetrics({ agentTimeZones }));
  const agentZones = median(() => batch.computeCallMetrics({ agentTimeZones }));
  const [tJsNy, jsNy] = time(() => calculateMetricsInZone(calls, 'America/New_York'));
  const filter = { agent: AGENTS[3].email.toUpperCase(), from: '2026-02-10', to: '2026-02-16' };
  const jsFiltered = median(() => filteredJs(calls, filter.agent, filter.from, filter.to));
  const wasmFiltered = median(() => batch.computeCallMetrics({ ...filter, timeZone: 'UTC' }));

  out.js = { ms: js.ms, min: js.min };
  out.wasm = { ms: wasm.ms, min: wasm.min };
  out.wasmOneShot = { ms: oneShot.ms, min: oneShot.min };
  out.wasmNewYork = { ms: ny.ms, min: ny.min, coldMs: tColdZone };
  out.wasmAgentZones = { ms: agentZones.ms, min: agentZones.min, coldMs: tColdAgents };
  out.jsNewYork = { ms: tJsNy };
  out.equalNewYork = same(jsNy, ny.result);
  out.jsFiltered = { ms: jsFiltered.ms, min: jsFiltered.min };
  out.wasmFiltered = { ms: wasmFiltered.ms, min: wasmFiltered.min };
  out.equal = same(js.result, wasm.result) && same(js.result, oneShot.result);
  out.equalFiltered = same(jsFiltered.result, wasmFiltered.result);
  out.totals = { js: js.result.totalCalls, wasm: wasm.result.totalCalls, filtered: wasmFiltered.result.totalCalls };
  batch.free();
  return out;
}

main().then((out) => {
  window.__bench = out;
  document.getElementById('out').textContent = JSON.stringify(out, null, 2);
}, (err) => {
  window.__bench = { error: String(err && err.stack || err) };
  document.getElementById('out').textContent = window.__bench.error;
});
