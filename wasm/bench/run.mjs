// Runs wasm/bench/index.html in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core) and prints both timings, their ratio and the module's gzipped size.
// Usage: node wasm/bench/run.mjs [--n 1000000] [--runs 7]   (after wasm/scripts/build.sh)

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join, extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '..', '..');
const pkg = process.env.CALLDUCK_PKG_DIR || join(root, 'pkg');
const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const n = Number(arg('n', 1_000_000));
const runs = Number(arg('runs', 7));

const wasmPath = join(pkg, 'web', 'callduck_metrics_bg.wasm');
if (!existsSync(wasmPath)) {
  console.error(`error: ${wasmPath} is missing; run wasm/scripts/build.sh first`);
  process.exit(2);
}
const wasmBytes = readFileSync(wasmPath);
const gzipped = gzipSync(wasmBytes, { level: 9 }).length;

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json' };
// Serves the repository root, with /pkg/ mapped to the package directory.
const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  let path = decodeURIComponent(url.pathname);
  if (path.endsWith('/')) path += 'index.html';
  const file = path.startsWith('/pkg/') ? resolve(pkg, path.slice(5)) : resolve(root, '.' + path);
  if (!(file + sep).startsWith(root + sep) && !file.startsWith(pkg + sep)) {
    res.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const port = server.address().port;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  // playwright starts Chromium with a fresh temporary profile of its own.
});
let out;
try {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.error('page:', m.text()); });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`http://127.0.0.1:${port}/wasm/bench/index.html?n=${n}&runs=${runs}`);
  await page.waitForFunction(() => window.__bench !== undefined, null, { timeout: 600_000, polling: 500 });
  out = await page.evaluate(() => window.__bench);
} finally {
  await browser.close();
  server.close();
}
if (out.error) {
  console.error(`benchmark failed in the page:\n${out.error}`);
  process.exit(1);
}

const f = (ms) => `${ms.toFixed(1)} ms`;
const ratio = out.js.ms / out.wasm.ms;
console.log(`callduck-metrics ${out.version}: ${out.n.toLocaleString('en-US')} calls, median of ${runs} runs, headless Chromium`);
console.log(`module size: ${wasmBytes.length} bytes, ${gzipped} gzipped (${(gzipped / 1024).toFixed(1)} KiB)`);
console.log('');
console.log(`JS calculateMetrics (seed, plain objects)          ${f(out.js.ms)}`);
console.log(`module CallBatch.computeCallMetrics (columnar)      ${f(out.wasm.ms)}   ${ratio.toFixed(1)}x faster`);
console.log(`module computeCallMetricsColumnar (copy + compute)  ${f(out.wasmOneShot.ms)}   ${(out.js.ms / out.wasmOneShot.ms).toFixed(1)}x faster`);
console.log(`module, callsByDay in America/New_York              ${f(out.wasmNewYork.ms)}   first in the zone (offsets from Intl) ${f(out.wasmNewYork.coldMs)}; JS with Intl per call ${f(out.jsNewYork.ms)}`);
console.log(`module, 12 agents in 12 zones (agentTimeZones)     ${f(out.wasmAgentZones.ms)}   first (12 zones from Intl) ${f(out.wasmAgentZones.coldMs)}`);
console.log(`filter change (agent + 7 days): JS filter+calc ${f(out.jsFiltered.ms)}, module ${f(out.wasmFiltered.ms)}`);
console.log(`one-off: generate records ${f(out.generateMs)}, build columns in JS ${f(out.buildColumnsMs)}, load CallBatch ${f(out.loadBatchMs)}, init module ${f(out.initMs)}`);
console.log(`results equal: ${out.equal && out.equalFiltered && out.equalNewYork ? 'yes' : 'NO'} (totalCalls ${out.totals.wasm}, filtered ${out.totals.filtered}; America/New_York days as JS's Intl: ${out.equalNewYork ? 'yes' : 'NO'})`);
const met = out.wasm.ms < 50 && ratio >= 5;
console.log(`aim (< 50 ms and >= 5x): ${met ? 'met' : 'NOT met'}`);
if (!(out.equal && out.equalFiltered && out.equalNewYork)) process.exit(1);
