// The package's types for CommonJS: `require('callduck-metrics')` in a .cts file resolves the
// exports map's `node` + `require` types (node-cjs/*.d.ts). Type-checked with usage.ts under
// "nodenext" by wasm/scripts/test-package.sh; never run.

import metrics = require('callduck-metrics');
import type { JustCallMetrics, MetricsOptions } from 'callduck-metrics';

const options: MetricsOptions = { timeZone: 'America/New_York' };
const batch: metrics.CallBatch = metrics.CallBatch.fromCalls([]);
const m: JustCallMetrics = batch.computeCallMetrics(options);
batch.free();

export = { totalCalls: m.totalCalls, version: metrics.version() };
