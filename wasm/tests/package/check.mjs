// The npm package test's verdict (wasm/scripts/test-package.sh): reads the results that
// compute.mjs produced in each runtime (plain Node, Node's require(), the esbuild bundles for Node
// and the browser, the unbundled web build in Chromium) and checks that
//   1. every runtime exports the same API, and compute.mjs calls all of it;
//   2. every runtime gives exactly the same values (same bits, same keys, same order): the package
//      computes in Node what it computes in the browser;
//   3. the values equal the native core's in wasm/tests/fixtures/expected.json (numbers within
//      1e-12 relative, the rule of wasm/tests/common/mod.rs `diff`; keys and lengths exactly);
//      results without a native twin are held to what the fixture implies (period bounds vs the
//      pace's totalDays, one-kind goal rows vs the combined rows' totals, batch lengths, version,
//      error messages);
//   4. every value has exactly the shape its function's declared return type describes in each of
//      the package's .d.ts files (parsed with TypeScript's own parser): no field the .d.ts lacks,
//      none it declares missing, and each field of its declared kind. So the hand-written
//      TypeScript of wasm/bindings/src/lib.rs cannot drift from what the module returns.
// Prints one line per failure and a closing `package: N passed, M failed`; exits 1 on a failure.
//
//   node check.mjs --expected expected.json --inputs inputs.json --package DIR RESULTS.json...

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { COVERED } from './compute.mjs';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0 || !args[i + 1]) {
    console.error('usage: node check.mjs --expected expected.json --inputs inputs.json --package DIR RESULTS.json...');
    process.exit(2);
  }
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
const fixture = readJson(opt('expected'));
const inputs = readJson(opt('inputs'));
const pkgDir = opt('package');
const pkg = readJson(join(pkgDir, 'package.json'));
const runs = args.map((path) => ({ runtime: basename(path, '.json'), ...readJson(path) }));
if (runs.length < 2) {
  console.error('check.mjs: give at least two result files (one per runtime)');
  process.exit(2);
}

let passed = 0;
const failures = [];
const check = (ok, what) => {
  if (ok) passed += 1;
  else failures.push(what);
};

// 1. The API.
const api = [...COVERED].sort();
for (const run of runs) {
  // The unbundled `callduck-metrics/web` adds its init() (default) and initSync.
  const want = run.runtime === 'browser-web' ? [...api, 'default', 'initSync'].sort() : api;
  const missing = want.filter((n) => !run.exports.includes(n));
  const extra = run.exports.filter((n) => !want.includes(n));
  check(!missing.length && !extra.length,
    `${run.runtime}: exports ${JSON.stringify(run.exports)}; ` +
    (extra.length ? `${extra.join(', ')} not exercised: call it in wasm/tests/package/compute.mjs (COVERED) and wasm/tests/package/usage.ts` : '') +
    (missing.length ? `${missing.join(', ')} missing from this build` : ''));
}

// 2. Every runtime, the same values.
const [reference, ...others] = runs;
for (const run of others) {
  check(run.results.length === reference.results.length,
    `${run.runtime}: ${run.results.length} results, ${reference.runtime}: ${reference.results.length}`);
  reference.results.forEach((r, i) => {
    const o = run.results[i];
    if (!o) return;
    const same = o.name === r.name && JSON.stringify(o.value) === JSON.stringify(r.value);
    check(same, `${run.runtime} differs from ${reference.runtime} at ${r.name}: ${firstDifference(o.value, r.value, '') || `name ${o.name}`}`);
  });
}

/** The first difference between two JSON values, exactly (bits, keys, order); null when equal. */
function firstDifference(a, b, path) {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    return `${path || '.'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  }
  if (a && typeof a === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.join() !== kb.join()) return `${path || '.'}: keys ${ka} vs ${kb}`;
    for (const k of ka) {
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path || '.'}: ${a} vs ${b}`;
}

// 3. The native core's values.
/** wasm/tests/common/mod.rs `diff`: numbers within 1e-12 relative (or `rel`), keys (as sets) and lengths exact. */
function nativeDifference(got, want, path, rel = 1e-12) {
  if (typeof got === 'number' && typeof want === 'number') {
    const tol = rel * Math.max(Math.abs(got), Math.abs(want), 1);
    return Math.abs(got - want) > tol ? `${path}: ${got} != ${want}` : null;
  }
  if (Array.isArray(got) && Array.isArray(want)) {
    if (got.length !== want.length) return `${path}: ${got.length} items != ${want.length} items`;
    for (let i = 0; i < got.length; i++) {
      const d = nativeDifference(got[i], want[i], `${path}[${i}]`, rel);
      if (d) return d;
    }
    return null;
  }
  if (got && want && typeof got === 'object' && typeof want === 'object' && !Array.isArray(got) && !Array.isArray(want)) {
    const kg = Object.keys(got).sort();
    const kw = Object.keys(want).sort();
    if (kg.join() !== kw.join()) return `${path}: keys ${kg} != ${kw}`;
    for (const k of kg) {
      const d = nativeDifference(got[k], want[k], `${path}.${k}`, rel);
      if (d) return d;
    }
    return null;
  }
  return got === want ? null : `${path}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`;
}

const at = (path) => path.split('.').reduce((v, k) => (v == null ? undefined : v[k]), fixture);
const sum = (rows, key) => rows.reduce((s, r) => s + r[key], 0);
const days = ([from, to]) => (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
let exact = 0;
let twins = 0;
for (const r of reference.results) {
  const want = r.expected && at(r.expected);
  if (r.expected && want === undefined) {
    check(false, `${r.name}: expected.json has no ${r.expected} (regenerate the fixture: CALLDUCK_UPDATE_FIXTURES=1 cargo test --release -p callduck-metrics --test fixture)`);
    continue;
  }
  switch (r.compare) {
    case undefined: {
      const d = nativeDifference(r.value, want, r.expected);
      check(!d, `${r.name}: the package and the native core differ: ${d}`);
      twins += 1;
      if (!nativeDifference(r.value, want, r.expected, 0)) exact += 1;
      break;
    }
    case 'periodDays':
      check(Array.isArray(r.value) && days(r.value) === want.totalDays,
        `${r.name}: ${JSON.stringify(r.value)} is not the ${want.totalDays} days the native goalPace counts`);
      break;
    case 'callsOnly':
    case 'smsOnly': {
      const calls = r.compare === 'callsOnly';
      const keys = calls ? ['phone_call_quantity', 'talk_time_seconds'] : ['sms_quantity'];
      const zero = calls ? ['sms_quantity'] : ['phone_call_quantity', 'talk_time_seconds'];
      for (const k of keys) {
        check(sum(r.value, k) === sum(want, k), `${r.name}: total ${k} ${sum(r.value, k)} != ${sum(want, k)} in the native ${r.expected}`);
      }
      for (const k of zero) check(sum(r.value, k) === 0, `${r.name}: ${k} should be 0 without ${calls ? 'SMS' : 'calls'}`);
      break;
    }
    case 'version':
      check(r.value === pkg.version, `version() = ${r.value}, package.json says ${pkg.version}`);
      break;
    case 'lengths': {
      const n = [fixture.calls.n, fixture.calls.n, fixture.calls.n, fixture.sms.n, fixture.sms.n, fixture.sms.n];
      check(JSON.stringify(r.value) === JSON.stringify(n), `${r.name}: ${JSON.stringify(r.value)}, the fixture has ${JSON.stringify(n)}`);
      break;
    }
    case 'customers':
      check(r.value === inputs.customers.length, `${r.name}: ${r.value}, ${inputs.customers.length} customers given`);
      break;
    case 'bytes':
      check(r.value && r.value.$type === 'Uint8Array' && r.value.length > 8, `${r.name}: not a batch file: ${JSON.stringify(r.value)}`);
      break;
    default:
      if (r.compare.startsWith('error:')) {
        const text = r.compare.slice('error:'.length);
        check(r.value.$error === 'Error' && r.value.message.includes(text),
          `${r.name}: expected an Error whose message contains ${JSON.stringify(text)}, got ${JSON.stringify(r.value)}`);
      } else {
        check(false, `${r.name}: check.mjs does not know the comparison ${r.compare}`);
      }
  }
}

// 4. The shapes the .d.ts files declare.
const dtsFiles = ['node/callduck_metrics.d.ts', 'node-cjs/callduck_metrics.d.ts', 'web/callduck_metrics.d.ts'];
for (const file of dtsFiles) {
  const decls = declarations(join(pkgDir, file));
  for (const r of reference.results) {
    if (!r.api) continue;
    const type = decls.returns.get(r.api);
    if (!type) {
      check(false, `${file}: declares no ${r.api} (it returned ${r.name})`);
      continue;
    }
    const problems = [];
    conforms(r.value, type, decls, `${r.api}() → ${type.getText()}`, problems);
    check(!problems.length, `${file}: ${r.name}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
  }
}

/** A .d.ts file's interfaces, type aliases and the return type of every function and method. */
function declarations(path) {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const interfaces = new Map();
  const aliases = new Map();
  const returns = new Map();
  const name = (n) => n.name && n.name.getText(source);
  for (const s of source.statements) {
    if (ts.isInterfaceDeclaration(s)) interfaces.set(name(s), s);
    else if (ts.isTypeAliasDeclaration(s)) aliases.set(name(s), s.type);
    else if (ts.isFunctionDeclaration(s) && s.type) returns.set(name(s), s.type);
    else if (ts.isClassDeclaration(s)) {
      for (const m of s.members) {
        if (ts.isMethodDeclaration(m) && m.type) returns.set(`${name(s)}.${name(m)}`, m.type);
      }
    }
  }
  return { source, interfaces, aliases, returns };
}

/** The properties of an interface, its `extends` included, and whether it takes any other key. */
function members(decl, decls) {
  const props = new Map();
  let open = false;
  for (const h of decl.heritageClauses || []) {
    for (const t of h.types) {
      const base = decls.interfaces.get(t.expression.getText(decls.source));
      if (!base) throw new Error(`cannot check ${decl.name.getText(decls.source)}: base ${t.getText(decls.source)} is not an interface of this file`);
      const b = members(base, decls);
      for (const [k, v] of b.props) props.set(k, v);
      open ||= b.open;
    }
  }
  for (const m of decl.members) {
    if (ts.isPropertySignature(m)) props.set(m.name.getText(decls.source).replace(/^["']|["']$/g, ''), { type: m.type, optional: !!m.questionToken });
    else if (ts.isIndexSignatureDeclaration(m)) open = true;
    else throw new Error(`cannot check ${decl.name.getText(decls.source)}: member ${m.getText(decls.source)} (extend check.mjs)`);
  }
  return { props, open };
}

function objectShape(value, { props, open }, decls, path, problems) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${path}: expected an object, got ${JSON.stringify(value)}`);
    return;
  }
  for (const [k, p] of props) {
    if (!(k in value)) {
      if (!p.optional) problems.push(`${path}.${k}: declared, not returned`);
    } else {
      conforms(value[k], p.type, decls, `${path}.${k}`, problems);
    }
  }
  if (!open) {
    for (const k of Object.keys(value)) if (!props.has(k)) problems.push(`${path}.${k}: returned, not declared`);
  }
}

/** Pushes to `problems` where `value` (JSON, typed arrays as {$type}) does not have type `node`. */
function conforms(value, node, decls, path, problems) {
  const src = decls.source;
  switch (node.kind) {
    case ts.SyntaxKind.NumberKeyword:
      if (typeof value !== 'number') problems.push(`${path}: expected a number, got ${JSON.stringify(value)}`);
      return;
    case ts.SyntaxKind.StringKeyword:
      if (typeof value !== 'string') problems.push(`${path}: expected a string, got ${JSON.stringify(value)}`);
      return;
    case ts.SyntaxKind.BooleanKeyword:
      if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
      return;
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.AnyKeyword:
      return;
    case ts.SyntaxKind.ParenthesizedType:
      conforms(value, node.type, decls, path, problems);
      return;
    case ts.SyntaxKind.LiteralType: {
      const lit = node.literal;
      const want = lit.kind === ts.SyntaxKind.NullKeyword ? null
        : ts.isStringLiteral(lit) ? lit.text
          : lit.kind === ts.SyntaxKind.TrueKeyword ? true
            : lit.kind === ts.SyntaxKind.FalseKeyword ? false
              : ts.isNumericLiteral(lit) ? Number(lit.text) : Symbol('unsupported');
      if (value !== want) problems.push(`${path}: expected ${lit.getText(src)}, got ${JSON.stringify(value)}`);
      return;
    }
    case ts.SyntaxKind.UnionType: {
      const attempts = node.types.map((t) => {
        const p = [];
        conforms(value, t, decls, path, p);
        return p;
      });
      if (!attempts.some((p) => !p.length)) {
        // One member's problem when the value is of its kind (an object missing a field), else the kinds.
        const deep = attempts.find((p) => p.length && !/: expected (a|an|null|")/.test(p[0]));
        problems.push(deep ? deep[0] : `${path}: ${JSON.stringify(value)} is none of ${node.getText(src)}`);
      }
      return;
    }
    case ts.SyntaxKind.ArrayType:
      if (!Array.isArray(value)) problems.push(`${path}: expected an array, got ${JSON.stringify(value)}`);
      else value.forEach((v, i) => conforms(v, node.elementType, decls, `${path}[${i}]`, problems));
      return;
    case ts.SyntaxKind.TupleType:
      if (!Array.isArray(value) || value.length !== node.elements.length) {
        problems.push(`${path}: expected ${node.getText(src)}, got ${JSON.stringify(value)}`);
      } else {
        node.elements.forEach((t, i) => conforms(value[i], t, decls, `${path}[${i}]`, problems));
      }
      return;
    case ts.SyntaxKind.TypeLiteral:
      objectShape(value, members(node, decls), decls, path, problems);
      return;
    case ts.SyntaxKind.TypeReference: {
      const name = node.typeName.getText(src);
      const targs = node.typeArguments || [];
      if (name === 'Record' && targs.length === 2 && targs[0].kind === ts.SyntaxKind.StringKeyword) {
        if (!value || typeof value !== 'object' || Array.isArray(value)) problems.push(`${path}: expected an object, got ${JSON.stringify(value)}`);
        else for (const [k, v] of Object.entries(value)) conforms(v, targs[1], decls, `${path}[${JSON.stringify(k)}]`, problems);
        return;
      }
      if (name === 'Array' && targs.length === 1) {
        if (!Array.isArray(value)) problems.push(`${path}: expected an array, got ${JSON.stringify(value)}`);
        else value.forEach((v, i) => conforms(v, targs[0], decls, `${path}[${i}]`, problems));
        return;
      }
      if (/^(Uint8|Int32|Uint32|Float64)Array$/.test(name)) {
        if (!value || value.$type !== name) problems.push(`${path}: expected a ${name}, got ${JSON.stringify(value)}`);
        return;
      }
      if (decls.aliases.has(name)) {
        conforms(value, decls.aliases.get(name), decls, path, problems);
        return;
      }
      if (decls.interfaces.has(name)) {
        objectShape(value, members(decls.interfaces.get(name), decls), decls, path, problems);
        return;
      }
      throw new Error(`${path}: check.mjs cannot check type ${node.getText(src)} (extend conforms())`);
    }
    default:
      throw new Error(`${path}: check.mjs cannot check type ${node.getText(src)} (extend conforms())`);
  }
}

for (const f of failures.slice(0, 40)) console.error(`FAIL ${f}`);
if (failures.length > 40) console.error(`... and ${failures.length - 40} more failures`);
console.log(`  ${runs.length} runtimes (${runs.map((r) => r.runtime).join(', ')}), ${reference.results.length} results each; ` +
  `${twins} with a native twin, ${exact} of them bit-identical to it; shapes checked against ${dtsFiles.join(', ')}`);
console.log(`package: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
