// callduck goals dashboard: the page logic (plain ES module, no framework, no network beyond the
// module and the data directory).
//
// 1. Loads the callduck-metrics WebAssembly module (`?module=URL`, default
//    ../../pkg/web/callduck_metrics.js, the package's `callduck-metrics/web` build, which needs
//    init()) and a `callduck export dashboard` directory (`?data=URL`, default ./data/):
//    dashboard.json (agents, time zones, goals, recent calls, the SQL views' totals) and the
//    columnar batches calls.cdbatch / texts.cdbatch, which go into wasm memory once as a
//    CallBatch and an SmsBatch.
// 2. On every change of the date range, agent or direction, recomputes everything in the browser
//    through the batches (no round trip): the seed's JustCallMetrics for the cards, status
//    breakdown and daily chart; SMS metrics; every agent's JustCallMetrics and SMS counts in one
//    pass each for the leaderboard (callMetricsByAgent, smsCountsByAgent); per-user-day goal
//    metrics for the goal progress (pace from the module's goalPace, the goals tracker's rules)
//    and the calendar.
//    Local days are each agent's JustCall time zone (else the business zone), as in the SQL views,
//    so with the full range the totals equal dashboard.json's `sqlTotalsByAgent`.
// 3. Test hook: `window.dashboard = { ready, state(), setFilter({from, to, agent, direction}) }`;
//    key numbers carry `data-testid` and their raw value in `data-value`.
//
// Goals are judged "as of" the last day of the selected range (the goals tracker's "today"), so an
// older export still shows meaningful progress; the direction filter does not apply to goals,
// the calendar, SMS or the leaderboard's days on goal (goal metrics count every call); it does
// apply to the leaderboard's calls, completed calls and talk time.

const params = new URLSearchParams(location.search);
const MODULE_URL = new URL(params.get('module') || '../../pkg/web/callduck_metrics.js', location.href).href;
const DATA_URL = new URL(withSlash(params.get('data') || './data/'), location.href).href;

const $ = (id) => document.getElementById(id);
const nf = new Intl.NumberFormat('en-US');
const pf = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
const GOAL_LABELS = {
  phone_call_quantity: 'Phone calls',
  talk_time_minutes: 'Talk time (min)',
  sms_quantity: 'SMS sent',
};
const PERIOD_LABELS = { daily: 'today', weekly: 'this week', monthly: 'this month', quarterly: 'this quarter' };
const PERIOD_ORDER = { daily: 0, weekly: 1, monthly: 2, quarterly: 3 };

// ---------------------------------------------------------------------------------------------
// Small helpers: dates as 'YYYY-MM-DD' strings, DOM building, formatting.

function withSlash(u) {
  return u.endsWith('/') ? u : u + '/';
}

const dayMs = 86_400_000;
const toDay = (s) => Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10));
const fromDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const addDays = (s, n) => fromDay(toDay(s) + n * dayMs);
const diffDays = (a, b) => Math.round((toDay(b) - toDay(a)) / dayMs);
const isDate = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s);

/** First and last day of the goal period containing `day`: the module's one definition. */
const periodBounds = (period, day) => mod.goalPeriodBounds(period, day);

function shortDate(s) {
  return `${MONTHS[+s.slice(5, 7) - 1]} ${+s.slice(8, 10)}`;
}

function duration(seconds) {
  const s = Math.round(seconds || 0);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${nf.format(h)}h ${String(m % 60).padStart(2, '0')}m`;
}

const rate = (n, d) => (d > 0 ? n / d : null);
const pct = (r) => (r == null ? '–' : pf.format(r));

/** Builds an element: h('div', {class: 'x', dataset: {...}}, 'text', child, ...). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  el.append(...children.flat().filter((c) => c != null && c !== false));
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  el.append(...children.flat().filter((c) => c != null && c !== false));
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function setNumber(id, value, text) {
  const el = $(id);
  el.textContent = text ?? nf.format(value);
  el.dataset.value = String(value);
}

// ---------------------------------------------------------------------------------------------
// State.

let mod; // the WebAssembly module's exports
let manifest; // dashboard.json
let callBatch;
let smsBatch;
let baseOptions; // time zones: business zone + each agent's zone
const agentsById = new Map();
const fullRange = { from: null, to: null };
const state = { from: null, to: null, agent: '', direction: 'all', calendarMonth: null };
let last = null; // the last computation, for the test hook and re-rendering on resize
let generation = 0;
const dateFormatters = new Map();

let readyResolve;
let readyReject;
const ready = new Promise((ok, fail) => {
  readyResolve = ok;
  readyReject = fail;
});
ready.catch(() => {}); // the failure is shown on the page; callers awaiting `ready` still see it

window.dashboard = {
  ready,
  /** A snapshot of the filters and the numbers on screen. */
  state: () => snapshot(),
  /** Sets some filters ({from, to, agent, direction}; null resets one), recomputes, returns state(). */
  setFilter(filter = {}) {
    applyFilter(filter);
    return snapshot();
  },
};

function snapshot() {
  if (!last) return { ready: false, generation };
  return structuredClone({
    ready: true,
    generation,
    filter: { from: state.from, to: state.to, agent: state.agent || null, direction: state.direction },
    fullRange,
    totals: last.totals,
    daysShown: last.days.length,
    goals: last.goals.map(({ type, period, target, current, pace }) => ({
      type, period, target, current, status: pace.status, progressPercent: pace.progressPercent, pacePercent: pace.pacePercent,
    })),
    leaderboard: last.leaderboard.map(({ id, name, calls, completed, talkSeconds, sms, goalDays }) => ({
      id, name, calls, completed, talkSeconds, sms, goalDays,
    })),
    recentShown: last.recent.length,
    computeMs: last.computeMs,
    agents: [...agentsById.values()].map(({ id, name, email, zone }) => ({ id, name, email, zone })),
    version: mod.version(),
  });
}

// ---------------------------------------------------------------------------------------------
// Loading.

async function fetchOk(url, kind) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return kind === 'json' ? res.json() : new Uint8Array(await res.arrayBuffer());
}

async function load() {
  const t0 = performance.now();
  mod = await import(MODULE_URL);
  await mod.default();
  manifest = await fetchOk(new URL('dashboard.json', DATA_URL), 'json');
  const files = manifest.files || {};
  const [callBytes, smsBytes] = await Promise.all([
    fetchOk(new URL(files.calls || 'calls.cdbatch', DATA_URL), 'bytes'),
    fetchOk(new URL(files.texts || 'texts.cdbatch', DATA_URL), 'bytes'),
  ]);
  const t1 = performance.now();
  callBatch = mod.CallBatch.fromBytes(callBytes);
  smsBatch = mod.SmsBatch.fromBytes(smsBytes);
  const loadMs = performance.now() - t1;

  const business = manifest.businessTimezone || 'UTC';
  const agentTimeZones = {};
  for (const a of manifest.agents || []) {
    if (a.id == null) continue;
    const zone = a.effectiveTimezone || a.timezone || business;
    agentsById.set(String(a.id), { id: a.id, name: a.name || a.email || `Agent ${a.id}`, email: a.email || null, zone });
    agentTimeZones[String(a.id)] = zone;
  }
  baseOptions = { timeZone: business, agentTimeZones };

  // The data's extent: first and last local day with any call or SMS.
  const allCalls = callBatch.computeCallMetrics(baseOptions);
  const allSms = smsBatch.computeSmsMetrics(baseOptions);
  const days = [...Object.keys(allCalls.callsByDay), ...Object.keys(allSms.sentByDay), ...Object.keys(allSms.receivedByDay)].sort();
  const today = new Date().toISOString().slice(0, 10);
  fullRange.from = days[0] || today;
  fullRange.to = days[days.length - 1] || today;
  state.from = fullRange.from;
  state.to = fullRange.to;

  setupControls();
  $('subtitle').textContent = [
    `${agentsById.size} agents`,
    `${nf.format(callBatch.length)} calls`,
    `${nf.format(smsBatch.length)} SMS`,
    `${shortDate(fullRange.from)} – ${shortDate(fullRange.to)}, ${fullRange.to.slice(0, 4)}`,
    `business time zone ${business}`,
  ].join(' · ');
  $('source').textContent = `callduck-metrics ${mod.version()} · data ${manifest.generatedAt ? `exported ${manifest.generatedAt.replace('T', ' ').replace('Z', ' UTC')}` : ''} · loaded in ${Math.round(t1 - t0)} ms, batches in ${loadMs.toFixed(1)} ms`;
  recompute();
  $('main').setAttribute('aria-busy', 'false');
  new ResizeObserver(() => last && renderActivity(last)).observe($('activity'));
}

function setupControls() {
  for (const id of ['from', 'to']) {
    $(id).min = fullRange.from;
    $(id).max = fullRange.to;
  }
  const agentSelect = $('agent');
  const agents = [...agentsById.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const a of agents) agentSelect.append(h('option', { value: String(a.id) }, a.name));

  $('from').addEventListener('change', (e) => applyFilter({ from: e.target.value || null }));
  $('to').addEventListener('change', (e) => applyFilter({ to: e.target.value || null }));
  agentSelect.addEventListener('change', (e) => applyFilter({ agent: e.target.value }));
  $('direction').addEventListener('change', (e) => applyFilter({ direction: e.target.value }));
  for (const b of document.querySelectorAll('.presets button')) {
    b.addEventListener('click', () => {
      const n = b.dataset.days;
      applyFilter(n === 'all'
        ? { from: null, to: null }
        : { from: maxDate(fullRange.from, addDays(fullRange.to, -(Number(n) - 1))), to: fullRange.to });
    });
  }
  $('cal-prev').addEventListener('click', () => shiftCalendar(-1));
  $('cal-next').addEventListener('click', () => shiftCalendar(1));
}

const maxDate = (a, b) => (a > b ? a : b);

function applyFilter(f) {
  if ('from' in f) state.from = isDate(f.from) ? f.from : fullRange.from;
  if ('to' in f) state.to = isDate(f.to) ? f.to : fullRange.to;
  if ('agent' in f) {
    const a = f.agent == null ? '' : String(f.agent);
    if (a && !agentsById.has(a)) throw new Error(`unknown agent ${a}`);
    state.agent = a;
  }
  if ('direction' in f) {
    const d = f.direction || 'all';
    if (!['all', 'Incoming', 'Outgoing'].includes(d)) throw new Error(`direction must be all, Incoming or Outgoing, not ${d}`);
    state.direction = d;
  }
  if (state.from > state.to) {
    // Keep the range valid: move the other end to the date just chosen.
    if ('from' in f) state.to = state.from;
    else state.from = state.to;
  }
  if ('from' in f || 'to' in f) state.calendarMonth = null;
  recompute();
}

function shiftCalendar(n) {
  const month = state.calendarMonth || state.to.slice(0, 7);
  const d = new Date(Date.UTC(+month.slice(0, 4), +month.slice(5, 7) - 1 + n, 1));
  state.calendarMonth = d.toISOString().slice(0, 7);
  if (last) renderCalendar(computeCalendar());
}

// ---------------------------------------------------------------------------------------------
// Computation (all through the module's columnar batches).

function options(extra = {}) {
  return { ...baseOptions, from: state.from, to: state.to, agent: state.agent || null,
    direction: state.direction === 'all' ? null : state.direction, ...extra };
}

function recompute() {
  const t0 = performance.now();
  const opts = options();
  const metrics = callBatch.computeCallMetrics(opts);
  const sms = smsBatch.computeSmsMetrics(options({ direction: null }));
  const split = state.direction === 'all'
    ? { inbound: callBatch.computeCallMetrics(options({ direction: 'Incoming' })).callsByDay,
        outbound: callBatch.computeCallMetrics(options({ direction: 'Outgoing' })).callsByDay }
    : { inbound: state.direction === 'Incoming' ? metrics.callsByDay : {},
        outbound: state.direction === 'Outgoing' ? metrics.callsByDay : {} };
  const days = [];
  for (let d = state.from; d <= state.to; d = addDays(d, 1)) days.push(d);

  const leaderboard = computeLeaderboard();
  const goals = computeGoals();
  const calendar = computeCalendar();
  const recent = filterRecent();
  const computeMs = performance.now() - t0;

  generation += 1;
  last = {
    metrics, sms, split, days, leaderboard, goals, calendar, recent, computeMs,
    totals: {
      totalCalls: metrics.totalCalls,
      inboundCalls: metrics.inboundCalls,
      outboundCalls: metrics.outboundCalls,
      completedCalls: metrics.completedCalls,
      missedCalls: metrics.missedCalls,
      totalDuration: metrics.totalDuration,
      averageDuration: metrics.averageDuration,
      smsSent: sms.totalSent,
      smsReceived: sms.totalReceived,
    },
  };
  render(last);
}

/** Per agent over the range and direction: calls, completed, talk time and active days from one
 *  pass of the module over the calls (`callMetricsByAgent`), SMS sent from one pass over the SMS,
 *  and days on the daily call goal (goals count every call, so with a direction selected those
 *  come from a second, direction-free pass). */
function computeLeaderboard() {
  const all = options({ agent: null });
  const byAgent = callBatch.callMetricsByAgent(all);
  const forGoals = state.direction === 'all' ? byAgent : callBatch.callMetricsByAgent({ ...all, direction: null });
  const smsByAgent = smsBatch.smsCountsByAgent({ ...all, direction: null });
  const dailyTarget = dailyCallTargets();
  const rows = new Map();
  const row = (id) => {
    const key = id == null ? '' : String(id);
    if (!rows.has(key)) {
      const a = agentsById.get(key);
      rows.set(key, { id: id ?? null, name: a ? a.name : 'No agent', email: a?.email ?? null,
        calls: 0, completed: 0, talkSeconds: 0, sms: 0, goalDays: 0, activeDays: 0 });
    }
    return rows.get(key);
  };
  for (const a of agentsById.values()) row(a.id);
  for (const m of byAgent) {
    const r = row(m.agentId);
    r.calls += m.totalCalls;
    r.completed += m.completedCalls;
    r.talkSeconds += m.totalDuration;
  }
  for (const m of forGoals) {
    const r = row(m.agentId);
    const target = m.agentId == null ? 0 : dailyTarget.get(String(m.agentId)) || 0;
    for (const n of Object.values(m.callsByDay)) {
      if (n > 0) r.activeDays += 1;
      if (target > 0 && n >= target) r.goalDays += 1;
    }
  }
  for (const m of smsByAgent) row(m.agentId).sms += m.totalSent;
  return [...rows.values()]
    .filter((r) => r.id != null || r.calls + r.sms > 0)
    .sort((a, b) => b.calls - a.calls || b.talkSeconds - a.talkSeconds || a.name.localeCompare(b.name));
}

/** Agent id → daily phone-call target. */
function dailyCallTargets() {
  const byEmail = new Map();
  for (const g of manifest.goals || []) {
    if (g.type === 'phone_call_quantity' && g.period === 'daily' && g.userEmail) {
      byEmail.set(g.userEmail.trim().toLowerCase(), Number(g.target) || 0);
    }
  }
  const out = new Map();
  for (const [id, a] of agentsById) {
    if (a.email && byEmail.has(a.email.trim().toLowerCase())) out.set(id, byEmail.get(a.email.trim().toLowerCase()));
  }
  return out;
}

/** The agents in view: the selected one, or everyone. */
function agentsInView() {
  return state.agent ? [agentsById.get(state.agent)] : [...agentsById.values()];
}

/** Goal progress as of the range's last day, pace by the module (the goals tracker's rules). */
function computeGoals() {
  const asOf = state.to;
  const emails = new Map(agentsInView().filter((a) => a.email).map((a) => [a.email.trim().toLowerCase(), a]));
  const groups = new Map();
  for (const g of manifest.goals || []) {
    const email = (g.userEmail || '').trim().toLowerCase();
    if (!emails.has(email)) continue;
    const key = `${g.type}|${g.period}`;
    if (!groups.has(key)) groups.set(key, { type: g.type, period: g.period, target: 0, ids: new Set() });
    const grp = groups.get(key);
    grp.target += Number(g.target) || 0;
    grp.ids.add(String(emails.get(email).id));
  }
  if (groups.size === 0) return [];
  let earliest = asOf;
  for (const g of groups.values()) {
    const [start] = periodBounds(g.period, asOf);
    if (start < earliest) earliest = start;
  }
  const days = mod.dailyGoalMetricsColumnar(callBatch, smsBatch,
    { ...baseOptions, from: earliest, to: asOf, agent: state.agent || null });
  const goals = [];
  for (const g of groups.values()) {
    const [start, end] = periodBounds(g.period, asOf);
    let current = 0;
    for (const d of days) {
      if (d.date >= start && d.date <= asOf && g.ids.has(String(d.agentId))) current += d[g.type] ?? 0;
    }
    const pace = mod.goalPace({ target: g.target, current, period: g.period, today: asOf });
    goals.push({ type: g.type, period: g.period, target: g.target, current, start, end, agents: g.ids.size, pace });
  }
  return goals.sort((a, b) => PERIOD_ORDER[a.period] - PERIOD_ORDER[b.period] || a.type.localeCompare(b.type));
}

/** The calendar month's days: calls and the daily call goal of the agents in view. */
function computeCalendar() {
  const month = state.calendarMonth || state.to.slice(0, 7);
  const first = `${month}-01`;
  const [, lastDay] = periodBounds('monthly', first);
  const days = callBatch.dailyGoalMetrics({ ...baseOptions, from: first, to: lastDay, agent: state.agent || null });
  const targets = dailyCallTargets();
  const inView = agentsInView();
  const target = inView.reduce((sum, a) => sum + (targets.get(String(a.id)) || 0), 0);
  const calls = new Map();
  const met = new Map();
  for (const d of days) {
    calls.set(d.date, (calls.get(d.date) || 0) + d.phone_call_quantity);
    const t = targets.get(String(d.agentId));
    if (t > 0 && d.phone_call_quantity >= t) met.set(d.date, (met.get(d.date) || 0) + 1);
  }
  return { month, first, last: lastDay, calls, met, target, agents: inView.length };
}

/** The export's recent calls that pass the filters (local day in the agent's zone). */
function filterRecent() {
  const out = [];
  for (const c of manifest.recentCalls || []) {
    if (state.agent && String(c.agentId) !== state.agent) continue;
    if (state.direction !== 'all' && c.direction !== state.direction) continue;
    const day = localDay(c.startedAt, zoneOf(c.agentId));
    if (day < state.from || day > state.to) continue;
    out.push(c);
    if (out.length >= 25) break;
  }
  return out;
}

function zoneOf(agentId) {
  return agentsById.get(String(agentId))?.zone || baseOptions.timeZone;
}

function formatter(zone) {
  if (!dateFormatters.has(zone)) {
    dateFormatters.set(zone, new Intl.DateTimeFormat('en-CA', {
      timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }));
  }
  return dateFormatters.get(zone);
}

function localParts(iso, zone) {
  const parts = Object.fromEntries(formatter(zone).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

const localDay = (iso, zone) => localParts(iso, zone).day;

// ---------------------------------------------------------------------------------------------
// Rendering.

function render(r) {
  syncControls();
  renderCards(r);
  renderActivity(r);
  renderStatus(r);
  renderGoals(r.goals);
  renderCalendar(r.calendar);
  renderLeaderboard(r.leaderboard);
  renderRecent(r.recent);
  const n = nf.format(callBatch.length);
  $('perf').textContent = `Recomputed in ${r.computeMs.toFixed(1)} ms in WebAssembly over ${n} calls`;
  $('perf').dataset.value = r.computeMs.toFixed(3);
}

function syncControls() {
  $('from').value = state.from;
  $('to').value = state.to;
  $('agent').value = state.agent;
  $('direction').value = state.direction;
  for (const b of document.querySelectorAll('.presets button')) {
    const n = b.dataset.days;
    const on = state.to === fullRange.to && (n === 'all'
      ? state.from === fullRange.from
      : state.from === maxDate(fullRange.from, addDays(fullRange.to, -(Number(n) - 1))));
    b.classList.toggle('active', on);
  }
}

function renderCards({ metrics: m, sms, days }) {
  const total = m.totalCalls;
  setNumber('card-total', total);
  $('card-total-hint').textContent = `${nf.format(Math.round(total / Math.max(days.length, 1)))} per day · ${days.length} days`;
  setNumber('card-inbound', m.inboundCalls);
  $('card-inbound-hint').textContent = `${pct(rate(m.inboundCalls, total))} of calls`;
  setNumber('card-outbound', m.outboundCalls);
  $('card-outbound-hint').textContent = `${pct(rate(m.outboundCalls, total))} of calls`;
  setNumber('card-average', m.averageDuration, duration(m.averageDuration));
  setNumber('card-completed', m.completedCalls);
  $('card-completed-hint').textContent = `${pct(rate(m.completedCalls, total))} success rate`;
  $('card-completed-hint').dataset.value = String(rate(m.completedCalls, total) ?? '');
  setNumber('card-missed', m.missedCalls);
  $('card-missed-hint').textContent = `${pct(rate(m.missedCalls, total))} missed rate`;
  $('card-missed-hint').dataset.value = String(rate(m.missedCalls, total) ?? '');
  setNumber('card-time', m.totalDuration, duration(m.totalDuration));
  $('card-time-hint').textContent = `${nf.format(Math.round(m.totalDuration / 60))} minutes on the phone`;
  setNumber('card-sms', sms.totalSent);
  $('card-sms-hint').textContent = `${nf.format(sms.totalReceived)} received · ${pct(sms.responseRate)} of contacts replied`;
}

/** The chart's top: four equal whole-number steps (a round step × a power of ten) covering v. */
function niceMax(v) {
  const raw = Math.max(v, 4) / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const f of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    const step = f * p;
    if (step >= raw && Number.isInteger(step)) return 4 * step;
  }
  return 40 * p;
}

function renderActivity({ days, split, metrics }) {
  const box = $('activity');
  const W = Math.max(box.clientWidth, 280);
  const H = 220;
  const max = niceMax(Math.max(1, ...days.map((d) => metrics.callsByDay[d] || 0)));
  const pad = { l: 14 + 7 * nf.format(max).length, r: 8, t: 10, b: 26 };
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const step = iw / Math.max(days.length, 1);
  const bw = Math.max(1, Math.min(28, step * 0.72));
  const y = (v) => pad.t + ih - (v / max) * ih;

  const svg = s('svg', { width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': `Calls per day, ${days.length} days` });
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const v = max * f;
    svg.append(s('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: f === 0 ? 'axis' : 'grid' }));
    svg.append(s('text', { x: pad.l - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, nf.format(Math.round(v))));
  }
  const labelEvery = Math.max(1, Math.ceil(days.length / Math.max(2, Math.floor(iw / 70))));
  days.forEach((d, i) => {
    const x = pad.l + i * step + (step - bw) / 2;
    const inn = split.inbound[d] || 0;
    const out = split.outbound[d] || 0;
    const total = metrics.callsByDay[d] || 0;
    const g = s('g', { class: 'bar', dataset: { day: d, calls: String(total) } },
      s('title', {}, `${shortDate(d)}: ${nf.format(total)} calls (${nf.format(inn)} in, ${nf.format(out)} out)`));
    if (out > 0) g.append(s('rect', { x, y: y(out), width: bw, height: y(0) - y(out), class: 'out', rx: Math.min(2, bw / 4) }));
    if (inn > 0) g.append(s('rect', { x, y: y(out + inn), width: bw, height: y(out) - y(out + inn), class: 'in', rx: Math.min(2, bw / 4) }));
    // A transparent full-height target so thin bars still show their tooltip.
    g.append(s('rect', { x: pad.l + i * step, y: pad.t, width: step, height: ih, class: 'hit' }));
    svg.append(g);
    if (i % labelEvery === 0) {
      const lx = Math.min(Math.max(x + bw / 2, pad.l + 18), W - pad.r - 20);
      svg.append(s('text', { x: lx, y: H - 8, class: 'tick', 'text-anchor': 'middle' }, shortDate(d)));
    }
  });
  box.replaceChildren(svg, h('div', { class: 'chart-legend' },
    h('span', {}, h('i', { class: 'in' }), 'Inbound'), h('span', {}, h('i', { class: 'out' }), 'Outbound')));
  const busiest = days.reduce((b, d) => ((metrics.callsByDay[d] || 0) > (metrics.callsByDay[b] || 0) ? d : b), days[0]);
  $('activity-caption').textContent = busiest && metrics.callsByDay[busiest]
    ? `busiest ${shortDate(busiest)} · ${nf.format(metrics.callsByDay[busiest])} calls` : 'no calls';
}

function statusClass(name) {
  const n = (name || '').toLowerCase();
  if (n === 'answered') return 'st-ok';
  if (n.includes('voicemail')) return 'st-vm';
  if (n.includes('abandon')) return 'st-ab';
  if (n.includes('progress')) return 'st-ip';
  if (n.includes('miss') || n.includes('unanswer') || n.includes('no answer')) return 'st-miss';
  return 'st-other';
}

function renderStatus({ metrics }) {
  const entries = Object.entries(metrics.callsByStatus).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  $('status').replaceChildren(...entries.map(([name, n]) => h('li', { dataset: { status: name, value: String(n) } },
    h('span', { class: 'label', title: name || '(none)' }, name || '(none)'),
    h('span', { class: 'track' }, h('span', { class: `fill ${statusClass(name)}`, style: { width: `${(n / max) * 100}%` } })),
    h('span', { class: 'num' }, nf.format(n)),
    h('span', { class: 'muted pct' }, pct(rate(n, metrics.totalCalls))))));
  if (entries.length === 0) $('status').append(h('li', { class: 'empty' }, 'No calls in this range'));
  $('status-caption').textContent = `${entries.length} statuses`;
}

function renderGoals(goals) {
  const asOf = state.to;
  $('goals-caption').textContent = `as of ${shortDate(asOf)}, ${asOf.slice(0, 4)} · ${state.agent ? agentsById.get(state.agent).name : 'team'}`;
  if (goals.length === 0) {
    $('goals').replaceChildren(h('li', { class: 'empty' }, 'No goals set for these agents'));
    return;
  }
  $('goals').replaceChildren(...goals.map((g) => {
    const p = g.pace;
    const fmt = (v) => nf.format(Math.round(v));
    const remaining = p.remainingDays;
    return h('li', { class: `goal ${p.status}`, dataset: { testid: `goal-${g.type}-${g.period}`, status: p.status, current: String(g.current), target: String(g.target) } },
      h('div', { class: 'goal-head' },
        h('span', { class: 'goal-name' }, GOAL_LABELS[g.type] || g.type, h('span', { class: 'muted' }, ` · ${PERIOD_LABELS[g.period] || g.period}`)),
        h('span', { class: `pill ${p.status}` }, p.status === 'on-pace' ? 'on pace' : p.status)),
      h('div', { class: 'goal-bar', title: `progress ${p.progressPercent.toFixed(0)}%, pace ${p.pacePercent.toFixed(0)}%` },
        h('span', { class: 'goal-fill', style: { width: `${Math.min(100, p.progressPercent)}%` } }),
        h('span', { class: 'pace-marker', style: { left: `${Math.min(100, p.pacePercent)}%` }, title: `expected by now: ${fmt(p.expected)}` })),
      h('div', { class: 'goal-foot muted' },
        h('span', {}, h('b', {}, fmt(g.current)), ` / ${fmt(g.target)} · ${p.progressPercent.toFixed(0)}%`),
        h('span', {}, g.current >= g.target ? 'goal reached'
          : g.period === 'daily' ? `expected ${fmt(p.expected)} by now · ${fmt(g.target - g.current)} to go`
            : `expected ${fmt(p.expected)} by now · ${fmt(Math.ceil(p.perDayTarget))}/day for ${remaining} more day${remaining === 1 ? '' : 's'}`)));
  }));
}

function renderCalendar(cal) {
  const [y, m] = cal.month.split('-').map(Number);
  $('calendar-title').textContent = `${MONTH_NAMES[m - 1]} ${y}`;
  const grid = [];
  for (const wd of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']) grid.push(h('div', { class: 'dow' }, wd));
  const lead = (new Date(toDay(cal.first)).getUTCDay() + 6) % 7;
  for (let i = 0; i < lead; i++) grid.push(h('div', { class: 'day pad' }));
  for (let d = cal.first; d <= cal.last; d = addDays(d, 1)) {
    const calls = cal.calls.get(d) || 0;
    let level = 0;
    if (calls > 0) {
      const ratio = cal.target > 0 ? calls / cal.target : 1;
      level = ratio >= 1 ? 3 : ratio >= 0.5 ? 2 : 1;
    }
    const inRange = d >= state.from && d <= state.to;
    const met = cal.met.get(d) || 0;
    const tip = `${shortDate(d)}: ${nf.format(calls)} calls` + (cal.target > 0 ? ` · daily goal ${nf.format(cal.target)}` : '')
      + (cal.agents > 1 && cal.target > 0 ? ` · ${met}/${cal.agents} agents met it` : '');
    grid.push(h('div', { class: `day lv${level}${inRange ? '' : ' out'}${d === state.to ? ' asof' : ''}`, title: tip,
      dataset: { day: d, calls: String(calls), level: String(level) } },
    h('span', { class: 'dnum' }, String(+d.slice(8))),
    calls > 0 ? h('span', { class: 'dcalls' }, nf.format(calls)) : null));
  }
  $('calendar').replaceChildren(...grid);
  $('cal-prev').disabled = cal.first <= fullRange.from;
  $('cal-next').disabled = cal.last >= fullRange.to;
}

function renderLeaderboard(rows) {
  const max = Math.max(1, ...rows.map((r) => r.calls));
  $('leaderboard').replaceChildren(...rows.map((r, i) => {
    const tr = h('tr', { class: String(r.id) === state.agent ? 'selected' : null, dataset: { agent: r.id == null ? '' : String(r.id) },
      title: r.id == null ? null : `Show only ${r.name}` },
    h('td', { class: 'rank' }, String(i + 1)),
    h('td', {}, h('div', { class: 'who' }, h('span', { class: 'avatar' }, initials(r.name)),
      h('div', {}, h('div', { class: 'name' }, r.name), r.email ? h('div', { class: 'muted small' }, r.email) : null)),
    h('div', { class: 'mini' }, h('span', { style: { width: `${(r.calls / max) * 100}%` } }))),
    h('td', { class: 'num' }, nf.format(r.calls)),
    h('td', { class: 'num' }, nf.format(r.completed), h('div', { class: 'muted small' }, pct(rate(r.completed, r.calls)))),
    h('td', { class: 'num' }, duration(r.talkSeconds)),
    h('td', { class: 'num' }, nf.format(r.sms)),
    h('td', { class: 'num' }, nf.format(r.goalDays)));
    if (r.id != null) tr.addEventListener('click', () => applyFilter({ agent: String(r.id) === state.agent ? '' : String(r.id) }));
    return tr;
  }));
  $('leaderboard-caption').textContent = state.direction === 'all' ? 'by calls' : `by ${state.direction === 'Incoming' ? 'inbound' : 'outbound'} calls`;
}

function initials(name) {
  return (name || '?').split(/[\s.@_-]+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
}

function stars(rating) {
  const r = Math.max(0, Math.min(5, Math.round(Number(rating))));
  return h('span', { class: 'stars', title: `rating ${rating}/5`, 'aria-label': `rating ${rating} of 5` }, '★'.repeat(r), h('span', { class: 'off' }, '★'.repeat(5 - r)));
}

function renderRecent(calls) {
  const total = (manifest.recentCalls || []).length;
  $('recent-caption').textContent = `${calls.length} shown of the ${nf.format(total)} newest · ${baseOptions.timeZone.split('/').pop().replace(/_/g, ' ')} time`;
  if (calls.length === 0) {
    $('recent').replaceChildren(h('li', { class: 'empty' }, 'No recent calls match these filters'));
    return;
  }
  $('recent').replaceChildren(...calls.map((c) => {
    const zone = zoneOf(c.agentId);
    const local = localParts(c.startedAt, zone);
    const when = localParts(c.startedAt, baseOptions.timeZone);
    const agent = agentsById.get(String(c.agentId));
    const incoming = c.direction === 'Incoming';
    const safeUrl = typeof c.recording === 'string' && /^https?:\/\//i.test(c.recording) ? c.recording : null;
    return h('li', { class: 'call', dataset: { callId: String(c.id) } },
      h('div', { class: 'call-head' },
        h('span', { class: `dir ${incoming ? 'in' : 'out'}`, title: c.direction }, incoming ? '↙' : '↗'),
        h('span', { class: 'contact' }, c.contactName || c.contactNumber || 'Unknown'),
        c.contactName && c.contactNumber ? h('span', { class: 'muted small' }, c.contactNumber) : null,
        h('span', { class: `badge ${statusClass(c.type)}` }, c.type || '—'),
        h('span', { class: 'when muted small', title: `agent's local time: ${local.day} ${local.time} (${zone})` }, `${shortDate(when.day)} ${when.time} · ${duration(c.totalDuration)}`)),
      h('div', { class: 'call-meta' },
        h('span', { class: 'muted' }, agent ? agent.name : c.agentEmail || 'No agent'),
        c.disposition ? h('span', { class: 'chip', 'data-testid': 'disposition' }, c.disposition) : null,
        c.rating != null && c.rating !== '' ? stars(c.rating) : null,
        safeUrl ? h('a', { class: 'rec', href: safeUrl, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'recording' }, '▶ Recording') : null),
      c.notes ? h('p', { class: 'notes' }, c.notes) : null,
      c.voicemailTranscription ? h('blockquote', { class: 'vm', 'data-testid': 'voicemail' }, h('span', { class: 'vm-label' }, 'Voicemail'), c.voicemailTranscription) : null);
  }));
}

// ---------------------------------------------------------------------------------------------

load().then(() => readyResolve(snapshot()), (err) => {
  console.error(err);
  const box = $('error');
  box.hidden = false;
  box.replaceChildren(h('strong', {}, 'The dashboard could not load. '), String(err && err.message ? err.message : err),
    h('div', { class: 'small' }, `module: ${MODULE_URL} · data: ${DATA_URL}`),
    h('div', { class: 'small' }, 'Build the module with wasm/scripts/build.sh, write the data with `callduck export dashboard --out DIR`, '
      + 'then serve with `node wasm/dashboard/serve.mjs --data DIR` and open ?data=/data/.'));
  $('subtitle').textContent = 'Not loaded';
  $('main').setAttribute('aria-busy', 'false');
  readyReject(err);
});
