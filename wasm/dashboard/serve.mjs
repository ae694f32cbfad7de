// A tiny static file server for the goals dashboard page (wasm/dashboard/) and its tests.
//
// Serves the repository root, so `/wasm/dashboard/` (the page), `/pkg/` (the WebAssembly module
// that wasm/scripts/build.sh writes) and any data directory inside the checkout are reachable, with
// the right MIME types (`application/wasm` for the module, so `WebAssembly.instantiateStreaming`
// works). Two directories outside the checkout can be mounted:
//   --data DIR   at /data/       (a `callduck export dashboard --out DIR` directory)
//   --pkg DIR    at /pkg/        (default: CALLDUCK_PKG_DIR or <repo>/pkg)
//
//   node wasm/dashboard/serve.mjs --data /tmp/dash/data [--port 8765] [--host 127.0.0.1]
//   → open http://127.0.0.1:8765/wasm/dashboard/?data=/data/
//
// Read-only, GET/HEAD only, no directory listings, no path escapes; `Cache-Control: no-store` so
// a re-export shows at once. e2e.mjs imports `startServer` from here.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const REPO_ROOT = resolve(here, '..', '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.cdbatch': 'application/octet-stream',
};

/** The file a URL path maps to, or null when it would leave its mount. */
function mapPath(pathname, mounts) {
  for (const [prefix, dir] of mounts) {
    if (pathname === prefix.slice(0, -1) || pathname.startsWith(prefix)) {
      const rest = pathname.slice(prefix.length);
      const file = resolve(dir, '.' + sep + rest);
      return file === dir || file.startsWith(dir + sep) ? file : null;
    }
  }
  return null;
}

/**
 * Starts the server; resolves to `{ server, port, url, close() }`.
 * @param {{root?: string, pkg?: string, data?: string, port?: number, host?: string, log?: boolean}} opts
 */
export async function startServer(opts = {}) {
  const root = resolve(opts.root || REPO_ROOT);
  const pkg = resolve(opts.pkg || process.env.CALLDUCK_PKG_DIR || join(root, 'pkg'));
  const mounts = [['/pkg/', pkg]];
  if (opts.data) mounts.push(['/data/', resolve(opts.data)]);
  mounts.push(['/', root]);
  const host = opts.host || '127.0.0.1';

  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (pathname.includes('\0')) {
      res.writeHead(400).end();
      return;
    }
    let file = mapPath(pathname, mounts);
    if (!file) {
      res.writeHead(403).end();
      return;
    }
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        if (!pathname.endsWith('/')) {
          res.writeHead(301, { location: pathname + '/' + new URL(req.url, 'http://localhost').search }).end();
          return;
        }
        file = join(file, 'index.html');
        info = await stat(file);
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(file).toLowerCase()] || 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
    if (opts.log) console.log(`${req.method} ${pathname} ${res.statusCode}`);
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, ok);
  });
  const port = server.address().port;
  return {
    server,
    port,
    url: `http://${host}:${port}`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

// Run as a script.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const arg = (name, def) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : def;
  };
  if (args.includes('--help') || args.includes('-h')) {
    console.log('usage: node wasm/dashboard/serve.mjs [--data DIR] [--pkg DIR] [--root DIR] [--port 8765] [--host 127.0.0.1] [--log]');
    process.exit(0);
  }
  const s = await startServer({
    root: arg('root'),
    pkg: arg('pkg'),
    data: arg('data', process.env.DASHBOARD_DATA),
    port: Number(arg('port', 8765)),
    host: arg('host', '127.0.0.1'),
    log: args.includes('--log'),
  });
  const query = arg('data', process.env.DASHBOARD_DATA) ? '?data=/data/' : '';
  console.log(`dashboard: ${s.url}/wasm/dashboard/${query}`);
  const stop = () => s.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
