// The npm package test's CommonJS Node script (wasm/scripts/test-package.sh): `require()`s the
// installed package by its name (exports map: `node` + `require` → node-cjs/) and computes the same
// results as node-app.mjs with compute.mjs.
//
//   node node-require.cjs INPUTS.json EXPECTED.json OUT.json

const { readFileSync, writeFileSync } = require('node:fs');
const metrics = require('callduck-metrics');

const [inputs, expected, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node node-require.cjs INPUTS.json EXPECTED.json OUT.json');
  process.exit(2);
}
const read = (path) => JSON.parse(readFileSync(path, 'utf8'));
import('./compute.mjs').then(({ computeAll }) => {
  writeFileSync(out, JSON.stringify(computeAll(metrics, read(inputs), read(expected))));
});
