// The npm package test's one computation (wasm/scripts/test-package.sh): every export of the
// callduck-metrics package, called on the records of the shared fixture (wasm/tests/fixtures/
// expected.json: the native core's results on that data). Runs unchanged wherever the package
// loads: the plain Node scripts (node-app.mjs, node-require.cjs), the esbuild bundles of
// node-app.mjs for Node and of browser-app.mjs for the browser, and the unbundled
// `callduck-metrics/web` build in Chromium (web.html).
//
// It only computes; check.mjs compares. Each result is one entry:
//   { name, api, expected, compare, value }
// `api` is the call as the .d.ts declares it (`computeCallMetrics`, `CallBatch.callMetricsByAgent`),
// so check.mjs can hold `value` to the declared return type (null: no single declaration);
// `expected` is the path of the native core's result in expected.json (`scenarios.1.callMetrics`);
// `compare` is absent when `value` must equal that result, else the name of check.mjs's rule for a
// value the fixture implies without holding it (`periodDays`, `callsOnly`, `error:TEXT`, ...).
// Every value must also be identical in every runtime.
// Values are JSON-safe: typed arrays become {$type, length, fnv1a}, errors {$error, message}.

/** Every export of the package that this file calls; check.mjs fails on an export not listed. */
export const COVERED = [
  'CallBatch', 'CustomerIndex', 'SmsBatch', 'computeCallMetrics', 'computeCallMetricsColumnar',
  'computeSmsMetrics', 'computeSmsMetricsColumnar', 'dailyGoalMetrics', 'dailyGoalMetricsColumnar',
  'goalPace', 'goalPeriodBounds', 'searchCustomers', 'version',
];

/** 32-bit FNV-1a of bytes, as 8 hex digits. */
function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function plain(value) {
  if (ArrayBuffer.isView(value)) {
    return { $type: value.constructor.name, length: value.length, fnv1a: fnv1a(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
  }
  return value;
}

/**
 * A batch file (`CDBATCH1`, wasm/src/columnar/file.rs) read as the typed-array columns and
 * dictionaries that `new CallBatch(columns)` / `new SmsBatch(columns)` take: what a front end
 * holding an export's `.cdbatch` bytes builds without the module.
 */
export function columnsOf(bytes) {
  const buf = bytes.slice().buffer; // own, 8-aligned copy
  const magic = String.fromCharCode(...new Uint8Array(buf, 0, 8));
  if (magic !== 'CDBATCH1') throw new Error(`not a CDBATCH1 file (magic ${JSON.stringify(magic)})`);
  const headerLength = new DataView(buf).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 12, headerLength)));
  const dataStart = Math.ceil((12 + headerLength) / 8) * 8;
  const Types = { f64: Float64Array, i32: Int32Array, u32: Uint32Array, u8: Uint8Array };
  const columns = { ...header.dictionaries };
  for (const c of header.columns) {
    if (!Types[c.type]) throw new Error(`column ${c.name}: unknown type ${c.type}`);
    columns[c.name] = new Types[c.type](buf, dataStart + c.offset, header.rows);
  }
  return columns;
}

/**
 * @param m        the package's module namespace (`import * as m from 'callduck-metrics'`)
 * @param inputs   {calls, sms, customers}: the records expected.json was computed from
 * @param fixture  wasm/tests/fixtures/expected.json
 * @returns {{exports: string[], results: {name: string, api: string, expected: string|null, value: unknown}[]}}
 */
export function computeAll(m, inputs, fixture) {
  const results = [];
  const put = (name, api, expected, value, compare) => results.push({ name, api, expected, compare, value: plain(value) });
  const { calls, sms, customers } = inputs;

  put('version()', 'version', null, m.version(), 'version');

  // The batches, each way a front end gets one: from records, from a batch file, from typed arrays.
  const callBatch = m.CallBatch.fromCalls(calls);
  const smsBatch = m.SmsBatch.fromSms(sms);
  const callFile = callBatch.toBytes({ source: 'package test' });
  const smsFile = smsBatch.toBytes(null);
  put('CallBatch.toBytes', 'CallBatch.toBytes', null, callFile, 'bytes');
  put('SmsBatch.toBytes', 'SmsBatch.toBytes', null, smsFile, 'bytes');
  const callFromFile = m.CallBatch.fromBytes(callFile);
  const smsFromFile = m.SmsBatch.fromBytes(smsFile);
  const callColumns = columnsOf(callFile);
  const smsColumns = columnsOf(smsFile);
  const callFromColumns = new m.CallBatch(callColumns);
  const smsFromColumns = new m.SmsBatch(smsColumns);
  put('batch lengths', null, null, [callBatch.length, callFromFile.length, callFromColumns.length,
    smsBatch.length, smsFromFile.length, smsFromColumns.length], 'lengths');

  fixture.scenarios.forEach((sc, i) => {
    const o = sc.options;
    const at = (key) => `scenarios.${i}.${key}`;
    const s = `scenario ${i} ${JSON.stringify(o)}`;
    put(`${s}: computeCallMetrics`, 'computeCallMetrics', at('callMetrics'), m.computeCallMetrics(calls, o));
    put(`${s}: computeSmsMetrics`, 'computeSmsMetrics', at('smsMetrics'), m.computeSmsMetrics(sms, o));
    put(`${s}: dailyGoalMetrics`, 'dailyGoalMetrics', at('dailyGoals'), m.dailyGoalMetrics(calls, sms, o));
    for (const [how, b] of [['fromCalls', callBatch], ['fromBytes', callFromFile], ['columns', callFromColumns]]) {
      put(`${s}: CallBatch(${how}).computeCallMetrics`, 'CallBatch.computeCallMetrics', at('callMetrics'), b.computeCallMetrics(o));
      put(`${s}: CallBatch(${how}).callMetricsByAgent`, 'CallBatch.callMetricsByAgent', at('callsByAgent'), b.callMetricsByAgent(o));
    }
    for (const [how, b] of [['fromSms', smsBatch], ['fromBytes', smsFromFile], ['columns', smsFromColumns]]) {
      put(`${s}: SmsBatch(${how}).computeSmsMetrics`, 'SmsBatch.computeSmsMetrics', at('smsMetrics'), b.computeSmsMetrics(o));
      put(`${s}: SmsBatch(${how}).smsCountsByAgent`, 'SmsBatch.smsCountsByAgent', at('smsByAgent'), b.smsCountsByAgent(o));
    }
    put(`${s}: computeCallMetricsColumnar`, 'computeCallMetricsColumnar', at('callMetrics'), m.computeCallMetricsColumnar(callColumns, o));
    put(`${s}: computeSmsMetricsColumnar`, 'computeSmsMetricsColumnar', at('smsMetrics'), m.computeSmsMetricsColumnar(smsColumns, o));
    put(`${s}: dailyGoalMetricsColumnar`, 'dailyGoalMetricsColumnar', at('dailyGoals'), m.dailyGoalMetricsColumnar(callFromFile, smsFromColumns, o));
    // One kind of record only: check.mjs compares their totals with the combined native rows.
    put(`${s}: CallBatch.dailyGoalMetrics`, 'CallBatch.dailyGoalMetrics', at('dailyGoals'), callBatch.dailyGoalMetrics(o), 'callsOnly');
    put(`${s}: SmsBatch.dailyGoalMetrics`, 'SmsBatch.dailyGoalMetrics', at('dailyGoals'), smsBatch.dailyGoalMetrics(o), 'smsOnly');
  });

  fixture.pace.forEach((p, i) => {
    put(`pace ${i} ${JSON.stringify(p.input)}: goalPace`, 'goalPace', `pace.${i}.output`, m.goalPace(p.input));
    if (p.input.period && p.input.today) {
      put(`pace ${i}: goalPeriodBounds(${p.input.period}, ${p.input.today})`, 'goalPeriodBounds', `pace.${i}.output`,
        m.goalPeriodBounds(p.input.period, p.input.today), 'periodDays');
    }
  });

  const index = new m.CustomerIndex(customers);
  put('CustomerIndex.length', null, null, index.length, 'customers');
  fixture.search.forEach((q, i) => {
    put(`search ${JSON.stringify(q.query)}: searchCustomers`, 'searchCustomers', `search.${i}.output`,
      m.searchCustomers(q.query, customers, q.options));
    put(`search ${JSON.stringify(q.query)}: CustomerIndex.search`, 'CustomerIndex.search', `search.${i}.output`,
      index.search(q.query, q.options));
  });

  // Errors cross the boundary as Error objects whose message names what is wrong.
  const error = (f) => {
    try {
      f();
      return { $error: 'none', message: 'no error was thrown' };
    } catch (e) {
      return { $error: e instanceof Error ? 'Error' : typeof e, message: String(e && e.message) };
    }
  };
  put('error: misspelt option', null, null, error(() => m.computeCallMetrics(calls, { timezone: 'UTC' })), 'error:unknown field');
  put('error: unknown zone', null, null, error(() => callBatch.computeCallMetrics({ timeZone: 'Mars/Base' })), 'error:Mars/Base');
  put('error: not a batch file', null, null, error(() => m.CallBatch.fromBytes(new Uint8Array(16))), 'error:');

  for (const b of [callBatch, smsBatch, callFromFile, smsFromFile, callFromColumns, smsFromColumns, index]) b.free();
  return { exports: Object.keys(m).sort(), results };
}
