// The npm package test's plain Node script (wasm/scripts/test-package.sh): imports the installed
// package by its name, so Node resolves it through the exports map (`node` + `import` → node/),
// computes every result on the fixture (compute.mjs) and writes them for check.mjs. The same file
// is also bundled by esbuild for Node and run again.
//
//   node node-app.mjs INPUTS.json EXPECTED.json OUT.json

import { readFileSync, writeFileSync } from 'node:fs';
import * as metrics from 'callduck-metrics';
import { computeAll } from './compute.mjs';

const [inputs, expected, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node node-app.mjs INPUTS.json EXPECTED.json OUT.json');
  process.exit(2);
}
const read = (path) => JSON.parse(readFileSync(path, 'utf8'));
writeFileSync(out, JSON.stringify(computeAll(metrics, read(inputs), read(expected))));
