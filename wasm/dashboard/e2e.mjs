// End-to-end test of the goals dashboard page in real headless Chromium (Debian's
// /usr/bin/chromium through playwright-core).
//
//   node wasm/dashboard/e2e.mjs --data DIR [--out DIR]      (wasm/scripts/test-dashboard.sh runs it)
//
// DIR is a `callduck export dashboard` directory (dashboard.json, calls.cdbatch, texts.cdbatch).
// The page is served by serve.mjs (repository root, /pkg/, and DIR at /data/) and driven through
// its real controls (the date inputs, the agent and direction selects). Nothing is hard-coded:
// * with the full range, the totals on screen (total, completed, missed, total time, SMS sent) equal
//   dashboard.json's `sqlTotalsByAgent` (the SQL views) summed over the team, and one agent's row
//   after selecting that agent; the leaderboard equals the SQL totals of every agent;
// * for a narrowed date range, a direction, and agent + range, the totals equal an independent
//   recomputation in Node straight from the .cdbatch bytes (its own reader of the CDBATCH1 layout,
//   local days through Intl in each agent's zone, no WebAssembly), and are strictly smaller;
// * the panels are there and consistent (status breakdown sums to the total, one bar per day,
//   goals with pace markers, a calendar month, leaderboard, recent calls with details);
// * no page errors or console errors.
// Writes dashboard.png (1440 px wide, full page), dashboard-agent.png (one agent, 7 days) and
// dashboard-mobile.png (390 px) into --out (default: a new temporary directory). Exits 1 on any
// failed check.

import { readFileSync, mkdirSync, mkdtempSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const dataDir = resolve(arg('data', process.env.DASHBOARD_DATA || ''));
const outArg = arg('out', process.env.DASHBOARD_OUT);
const outDir = outArg ? resolve(outArg) : mkdtempSync(join(tmpdir(), 'callduck-dashboard-'));
if (!existsSync(join(dataDir, 'dashboard.json'))) {
  console.error(`error: ${dataDir}/dashboard.json is missing (pass --data DIR from \`callduck export dashboard --out DIR\`)`);
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

// ---------------------------------------------------------------------------------------------
// Checks.

let failures = 0;
let passes = 0;
function check(ok, what, detail = '') {
  if (ok) {
    passes += 1;
    console.log(`  ok   ${what}`);
  } else {
    failures += 1;
    console.log(`  FAIL ${what}${detail ? `: ${detail}` : ''}`);
  }
}
function equal(actual, expected, what) {
  check(actual === expected, `${what} = ${expected}`, `got ${actual}, expected ${expected}`);
}

// ---------------------------------------------------------------------------------------------
// The independent reference: reads the batch files without the module.

function readBatch(path) {
  const bytes = readFileSync(path);
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const magic = Buffer.from(buf, 0, 8).toString('latin1');
  if (magic !== 'CDBATCH1') throw new Error(`${path}: not a CDBATCH1 file`);
  const view = new DataView(buf);
  const headerLength = view.getUint32(8, true);
  const header = JSON.parse(Buffer.from(buf, 12, headerLength).toString('utf8'));
  const dataStart = Math.ceil((12 + headerLength) / 8) * 8;
  const Types = { f64: Float64Array, i32: Int32Array, u32: Uint32Array, u8: Uint8Array };
  const columns = {};
  for (const c of header.columns) {
    columns[c.name] = new Types[c.type](buf, dataStart + c.offset, header.rows);
  }
  return { rows: header.rows, columns, dict: header.dictionaries };
}

const manifest = JSON.parse(readFileSync(join(dataDir, 'dashboard.json'), 'utf8'));
const business = manifest.businessTimezone || 'UTC';
const zoneById = new Map((manifest.agents || []).map((a) => [a.id, a.effectiveTimezone || a.timezone || business]));
const fmts = new Map();
const dayCache = new Map();
/** Local YYYY-MM-DD of a unix-seconds instant in an IANA zone (offsets are multiples of 15 min). */
function localDay(seconds, zone) {
  const key = `${zone}|${Math.floor(seconds / 900)}`;
  let day = dayCache.get(key);
  if (day === undefined) {
    if (!fmts.has(zone)) fmts.set(zone, new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }));
    const p = Object.fromEntries(fmts.get(zone).formatToParts(new Date(seconds * 1000)).map((x) => [x.type, x.value]));
    day = `${p.year}-${p.month}-${p.day}`;
    dayCache.set(key, day);
  }
  return day;
}

const callsBatch = readBatch(join(dataDir, (manifest.files && manifest.files.calls) || 'calls.cdbatch'));
const smsBatch = readBatch(join(dataDir, (manifest.files && manifest.files.texts) || 'texts.cdbatch'));
const callRows = [];
{
  const c = callsBatch.columns;
  for (let i = 0; i < callsBatch.rows; i++) {
    const agent = callsBatch.dict.agents[c.agent[i]] || {};
    callRows.push({
      agentId: agent.id ?? null,
      day: localDay(c.startedAt[i], zoneById.get(agent.id) || business),
      incoming: c.direction[i] === 0,
      type: callsBatch.dict.callTypes[c.callType[i]],
      seconds: c.totalDuration[i],
    });
  }
}
const smsRows = [];
{
  const c = smsBatch.columns;
  for (let i = 0; i < smsBatch.rows; i++) {
    const agent = smsBatch.dict.agents[c.agent[i]] || {};
    smsRows.push({
      agentId: agent.id ?? null,
      day: localDay(c.sentAt[i], zoneById.get(agent.id) || business),
      sent: c.direction[i] === 1 && c.deleted[i] === 0,
    });
  }
}
// The metric definitions (sql/README.md): completed = type Answered; missed = every other final
// type; not final = empty or one of these (compared trimmed, lower-cased).
const IN_PROGRESS = ['in progress', 'in-progress', 'ongoing', 'ringing', 'initiated'];
/** Totals by those definitions, computed here from the batch rows. */
function reference({ from = null, to = null, agent = null, direction = 'all' } = {}) {
  const keep = (r) => (agent == null || r.agentId === agent) && (from == null || r.day >= from) && (to == null || r.day <= to);
  const t = { totalCalls: 0, inboundCalls: 0, outboundCalls: 0, completedCalls: 0, missedCalls: 0, totalDuration: 0, smsSent: 0, days: new Set() };
  for (const r of callRows) {
    if (!keep(r)) continue;
    if (direction !== 'all' && r.incoming !== (direction === 'Incoming')) continue;
    t.totalCalls += 1;
    if (r.incoming) t.inboundCalls += 1; else t.outboundCalls += 1;
    const type = (r.type || '').trim().toLowerCase();
    if (type === 'answered') t.completedCalls += 1;
    else if (type !== '' && !IN_PROGRESS.includes(type)) t.missedCalls += 1;
    t.totalDuration += r.seconds;
  }
  for (const r of smsRows) if (keep(r) && r.sent) t.smsSent += 1;
  return t;
}

const sql = manifest.sqlTotalsByAgent || [];
const sum = (k) => sql.reduce((n, r) => n + Number(r[k] || 0), 0);
const sqlTeam = {
  totalCalls: sum('totalCalls'), completedCalls: sum('completedCalls'), missedCalls: sum('missedCalls'),
  talkSeconds: sum('talkSeconds'), smsSent: sum('smsSent'),
};

// ---------------------------------------------------------------------------------------------
// The browser.

const server = await startServer({ data: dataDir });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-dev-shm-usage'],
});
const pageErrors = [];
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`); });
  const offsite = [];
  page.on('request', (r) => { if (!r.url().startsWith(server.url)) offsite.push(r.url()); });
  const url = `${server.url}/wasm/dashboard/?data=/data/`;
  console.log(`dashboard e2e: ${url}  (data ${dataDir})`);
  await page.goto(url);
  await page.evaluate(() => window.dashboard.ready);
  const initial = await page.evaluate(() => window.dashboard.state());
  console.log(`  loaded: ${callsBatch.rows} calls, ${smsBatch.rows} SMS, ${initial.agents.length} agents, range ${initial.fullRange.from}..${initial.fullRange.to}, recompute ${initial.computeMs.toFixed(1)} ms (callduck-metrics ${initial.version})`);

  const shown = async () => page.evaluate(() => {
    const v = (id) => Number(document.querySelector(`[data-testid="${id}"]`).dataset.value);
    return {
      totalCalls: v('total-calls'), inboundCalls: v('inbound-calls'), outboundCalls: v('outbound-calls'),
      completedCalls: v('completed-calls'), missedCalls: v('missed-calls'), totalDuration: v('total-time'),
      averageDuration: v('average-duration'), smsSent: v('sms-sent'),
      text: document.querySelector('[data-testid="total-calls"]').textContent,
    };
  });
  // Waits for the recomputation a control change triggers.
  const settled = async (gen) => page.waitForFunction((g) => window.dashboard.state().generation > g, gen);
  const gen = async () => page.evaluate(() => window.dashboard.state().generation);
  const select = async (testid, value) => { const g = await gen(); await page.selectOption(`[data-testid="${testid}"]`, value); await settled(g); };
  const fillDate = async (testid, value) => { const g = await gen(); await page.fill(`[data-testid="${testid}"]`, value); await settled(g); };

  // 1. Team, full range: the SQL views' totals.
  console.log('team, full range vs sqlTotalsByAgent (SQL views):');
  let t = await shown();
  equal(t.totalCalls, sqlTeam.totalCalls, 'total calls');
  equal(t.completedCalls, sqlTeam.completedCalls, 'completed calls');
  equal(t.missedCalls, sqlTeam.missedCalls, 'missed calls');
  equal(t.totalDuration, sqlTeam.talkSeconds, 'total time (seconds)');
  equal(t.smsSent, sqlTeam.smsSent, 'SMS sent');
  equal(t.inboundCalls + t.outboundCalls, t.totalCalls, 'inbound + outbound');
  check(t.text === t.totalCalls.toLocaleString('en-US'), `total calls card reads "${t.totalCalls.toLocaleString('en-US')}"`, `reads "${t.text}"`);
  const full = reference();
  equal(full.totalCalls, sqlTeam.totalCalls, 'the test\'s own batch reader: total calls');
  equal(t.inboundCalls, full.inboundCalls, 'inbound calls (reference)');
  equal(Math.round(t.averageDuration * 1000), Math.round((full.totalDuration / Math.max(full.totalCalls, 1)) * 1000), 'average duration ×1000 (reference)');

  const lb = (await page.evaluate(() => window.dashboard.state())).leaderboard;
  const lbMismatch = sql.filter((r) => r.agentId != null).filter((r) => {
    const row = lb.find((x) => x.id === r.agentId);
    return !row || row.calls !== r.totalCalls || row.completed !== r.completedCalls || row.talkSeconds !== r.talkSeconds || row.sms !== r.smsSent;
  });
  check(lbMismatch.length === 0, `leaderboard rows equal sqlTotalsByAgent for ${sql.filter((r) => r.agentId != null).length} agents`, JSON.stringify(lbMismatch.slice(0, 2)));

  // Panels.
  const panels = await page.evaluate(() => {
    const q = (s) => document.querySelectorAll(s);
    return {
      statusSum: [...q('[data-testid="status-breakdown"] li[data-value]')].reduce((n, li) => n + Number(li.dataset.value), 0),
      bars: q('[data-testid="daily-activity"] svg g.bar').length,
      goals: q('[data-testid="goals"] li.goal').length,
      paceMarkers: q('[data-testid="goals"] .pace-marker').length,
      goalStatuses: [...q('[data-testid="goals"] li.goal')].map((li) => li.dataset.status),
      calendarDays: q('[data-testid="calendar"] .day:not(.pad)').length,
      calendarColoured: q('[data-testid="calendar"] .day.lv1, [data-testid="calendar"] .day.lv2, [data-testid="calendar"] .day.lv3').length,
      leaderboardRows: q('[data-testid="leaderboard"] tbody tr').length,
      recent: q('[data-testid="recent-calls"] li.call').length,
    };
  });
  const st = await page.evaluate(() => window.dashboard.state());
  const rangeDays = Math.round((Date.parse(st.filter.to) - Date.parse(st.filter.from)) / 86_400_000) + 1;
  equal(panels.statusSum, t.totalCalls, 'status breakdown sums to the total');
  equal(panels.bars, rangeDays, 'daily activity bars (one per day of the range)');
  check(panels.goals > 0 && panels.paceMarkers === panels.goals, `goal progress bars with pace markers (${panels.goals})`);
  check(panels.goalStatuses.every((s) => ['ahead', 'on-pace', 'behind'].includes(s)), `goal statuses are ahead/on-pace/behind (${panels.goalStatuses.join(', ')})`);
  check(panels.calendarDays >= 28 && panels.calendarDays <= 31, `calendar month (${panels.calendarDays} days, ${panels.calendarColoured} coloured)`);
  check(panels.calendarColoured > 0, 'calendar days coloured by goal completion');
  check(panels.leaderboardRows >= initial.agents.length, `leaderboard rows (${panels.leaderboardRows})`);
  check(panels.recent > 0, `recent calls listed (${panels.recent})`);

  // Recent calls with details: the exported list carries them; the page must render them.
  const detailed = (manifest.recentCalls || []).filter((c) => c.disposition || c.notes || c.recording || c.voicemailTranscription || c.rating != null);
  if (detailed.length > 0) {
    const c = detailed.find((x) => x.voicemailTranscription) || detailed[0];
    const agentZone = zoneById.get(c.agentId) || business;
    const day = localDay(Date.parse(c.startedAt) / 1000, agentZone);
    // Show that call: its agent and its day.
    await select('filter-agent', String(c.agentId));
    await fillDate('filter-from', day);
    await fillDate('filter-to', day);
    const item = await page.evaluate((id) => {
      const li = document.querySelector(`[data-testid="recent-calls"] li[data-call-id="${id}"]`);
      if (!li) return null;
      return {
        disposition: li.querySelector('[data-testid="disposition"]')?.textContent ?? null,
        recording: li.querySelector('[data-testid="recording"]')?.getAttribute('href') ?? null,
        voicemail: li.querySelector('[data-testid="voicemail"]')?.textContent ?? null,
        notes: li.querySelector('.notes')?.textContent ?? null,
        stars: li.querySelector('.stars') != null,
      };
    }, c.id);
    check(item != null, `recent call ${c.id} shown for its agent and day`);
    if (item) {
      if (c.disposition) equal(item.disposition, c.disposition, 'its disposition');
      if (c.recording) equal(item.recording, c.recording, 'its recording link');
      if (c.voicemailTranscription) check(item.voicemail && item.voicemail.includes(c.voicemailTranscription), 'its voicemail transcription');
      if (c.notes) equal(item.notes, c.notes, 'its notes');
      if (c.rating != null) check(item.stars, 'its rating');
    }
    await select('filter-agent', '');
    await page.click('.presets button[data-days="all"]');
  }

  // 2. One agent, full range: that agent's SQL row.
  const busiest = sql.filter((r) => r.agentId != null).sort((a, b) => b.totalCalls - a.totalCalls)[0];
  console.log(`agent ${busiest.agentId}, full range vs its sqlTotalsByAgent row:`);
  await select('filter-agent', String(busiest.agentId));
  t = await shown();
  equal(t.totalCalls, busiest.totalCalls, 'total calls');
  equal(t.completedCalls, busiest.completedCalls, 'completed calls');
  equal(t.missedCalls, busiest.missedCalls, 'missed calls');
  equal(t.totalDuration, busiest.talkSeconds, 'total time (seconds)');
  equal(t.smsSent, busiest.smsSent, 'SMS sent');
  const agentFull = t;

  // 3. Narrow the range through the date inputs: the last 7 days.
  const to = st.fullRange.to;
  const from = new Date(Date.parse(to) - 6 * 86_400_000).toISOString().slice(0, 10);
  console.log(`agent ${busiest.agentId}, ${from}..${to} vs the reference recomputed from the batch files:`);
  await fillDate('filter-from', from);
  t = await shown();
  let ref = reference({ agent: busiest.agentId, from, to });
  for (const k of ['totalCalls', 'inboundCalls', 'outboundCalls', 'completedCalls', 'missedCalls', 'totalDuration', 'smsSent']) equal(t[k], ref[k], k);
  check(t.totalCalls > 0 && t.totalCalls < agentFull.totalCalls, `narrowed total is smaller (${t.totalCalls} < ${agentFull.totalCalls}) and not zero`);
  const bars7 = await page.evaluate(() => document.querySelectorAll('[data-testid="daily-activity"] svg g.bar').length);
  equal(bars7, 7, 'daily activity bars for 7 days');
  await page.evaluate(() => document.activeElement?.blur());
  await page.screenshot({ path: join(outDir, 'dashboard-agent.png'), fullPage: true });

  // 4. Direction, through the select.
  console.log(`agent ${busiest.agentId}, ${from}..${to}, inbound only:`);
  await select('filter-direction', 'Incoming');
  t = await shown();
  ref = reference({ agent: busiest.agentId, from, to, direction: 'Incoming' });
  for (const k of ['totalCalls', 'completedCalls', 'missedCalls', 'totalDuration']) equal(t[k], ref[k], k);
  equal(t.outboundCalls, 0, 'outbound calls');

  // 5. Team, narrowed range, all directions; then a middle range through setFilter.
  console.log(`team, ${from}..${to}:`);
  await select('filter-direction', 'all');
  await select('filter-agent', '');
  t = await shown();
  ref = reference({ from, to });
  for (const k of ['totalCalls', 'completedCalls', 'missedCalls', 'totalDuration', 'smsSent']) equal(t[k], ref[k], k);
  check(t.totalCalls < sqlTeam.totalCalls, `narrowed team total is smaller (${t.totalCalls} < ${sqlTeam.totalCalls})`);
  const midFrom = new Date(Date.parse(st.fullRange.from) + 20 * 86_400_000).toISOString().slice(0, 10);
  const midTo = new Date(Date.parse(st.fullRange.from) + 40 * 86_400_000).toISOString().slice(0, 10);
  const viaHook = await page.evaluate(([f, tt]) => window.dashboard.setFilter({ from: f, to: tt }).totals, [midFrom, midTo]);
  ref = reference({ from: midFrom, to: midTo });
  equal(viaHook.totalCalls, ref.totalCalls, `setFilter ${midFrom}..${midTo}: total calls`);
  equal((await shown()).totalCalls, ref.totalCalls, `setFilter ${midFrom}..${midTo}: card`);

  // 6. Back to everything: the SQL totals again; screenshots.
  console.log('reset to the full range:');
  await page.click('.presets button[data-days="all"]');
  t = await shown();
  equal(t.totalCalls, sqlTeam.totalCalls, 'total calls');
  await page.evaluate(() => { window.scrollTo(0, 0); document.activeElement?.blur(); });
  await page.screenshot({ path: join(outDir, 'dashboard.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(150);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, 'no horizontal scrolling at 390 px', `${overflow}px wider than the viewport`);
  await page.screenshot({ path: join(outDir, 'dashboard-mobile.png'), fullPage: true });

  check(pageErrors.length === 0, 'no page or console errors', pageErrors.slice(0, 5).join(' | '));
  check(offsite.length === 0, 'no request leaves the local server', offsite.slice(0, 3).join(', '));
} catch (err) {
  failures += 1;
  console.log(`  FAIL ${err && err.stack ? err.stack : err}`);
  if (pageErrors.length) console.log(`  page errors: ${pageErrors.join(' | ')}`);
} finally {
  await browser.close();
  await server.close();
}

console.log(`\n${passes} checks passed, ${failures} failed`);
console.log(`screenshots: ${join(outDir, 'dashboard.png')} (also dashboard-agent.png, dashboard-mobile.png)`);
process.exit(failures === 0 ? 0 : 1);
