// The npm package test's browser run (wasm/scripts/test-package.sh): serves the test project
// (APP_DIR: the installed package in node_modules/, the fixture, the esbuild browser bundle in
// dist-browser/) with wasm/dashboard/serve.mjs and opens two pages in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core):
//   dist-browser/bundle.html   the esbuild bundle of browser-app.mjs (`import ... from 'callduck-metrics'`)
//   web.html                   `callduck-metrics/web` without a bundler, init() called by the page
// Each page's compute.mjs results go to OUT_DIR/browser-bundle.json and OUT_DIR/browser-web.json.
// Fails on a page error, a console error or a request that leaves the server.
//
//   node browser.mjs APP_DIR OUT_DIR

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../dashboard/serve.mjs';

const [appDir, outDir] = process.argv.slice(2).map((p) => p && resolve(p));
if (!outDir) {
  console.error('usage: node browser.mjs APP_DIR OUT_DIR');
  process.exit(2);
}

const server = await startServer({ root: appDir });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--no-first-run', '--disable-dev-shm-usage'],
});
let failed = false;
try {
  for (const [name, path] of [['browser-bundle', '/dist-browser/bundle.html'], ['browser-web', '/web.html']]) {
    const page = await browser.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('request', (r) => { if (!r.url().startsWith(server.url)) problems.push(`off-site request: ${r.url()}`); });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    await page.goto(server.url + path);
    await page.waitForFunction(() => window.__results || window.__error, null, { timeout: 60_000 });
    const { results, error } = await page.evaluate(() => ({
      results: window.__results && JSON.stringify(window.__results),
      error: window.__error,
    }));
    if (error) problems.push(`the page failed: ${error}`);
    if (problems.length) {
      failed = true;
      console.error(`${name} (${path}):\n  ${problems.join('\n  ')}`);
    } else {
      writeFileSync(join(outDir, `${name}.json`), results);
      console.log(`  ${name}: ${JSON.parse(results).results.length} results from ${path} in Chromium ${browser.version()}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
if (failed) process.exit(1);
