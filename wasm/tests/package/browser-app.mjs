// The npm package test's browser app (wasm/scripts/test-package.sh): bundled by esbuild for the
// browser, which resolves `callduck-metrics` through the exports map with its browser conditions
// (→ index.js: the web build, instantiated on import), and run in headless Chromium by
// browser.mjs from bundle.html. Leaves compute.mjs's results in `window.__results`.

import * as metrics from 'callduck-metrics';
import { computeAll } from './compute.mjs';

const json = async (url) => {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
};

try {
  const [inputs, expected] = await Promise.all([json('/inputs.json'), json('/expected.json')]);
  window.__results = computeAll(metrics, inputs, expected);
} catch (e) {
  window.__error = String((e && e.stack) || e);
}
