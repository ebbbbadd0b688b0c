/**
 * `corral serve [path] [port]`: a static file server that Corral runs as an app (PM2's `serve`).
 *
 * argv: [node, serve.js, <root>, <port>]. Env: CORRAL_SERVE_HOST (default every interface, as PM2),
 * CORRAL_SERVE_SPA=1 (unknown paths get index.html, for single-page apps), CORRAL_SERVE_AUTH=user:password
 * (HTTP basic auth; in the env, never in argv where `ps` shows it).
 *
 * Only regular files inside the root are served: `..`, encoded or not, and symlinks that lead out of
 * the root answer 404, and so do dotfiles (`.env`, `.git/`), which are never meant for the web.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.xml': 'application/xml',
  '.webmanifest': 'application/manifest+json',
};

const [rootArg, portArg] = process.argv.slice(2);
const root = fs.realpathSync(path.resolve(rootArg ?? '.'));
const port = Number(portArg ?? 8080);
const host = process.env.CORRAL_SERVE_HOST || undefined;
const spa = process.env.CORRAL_SERVE_SPA === '1';
const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
const expectedAuth = process.env.CORRAL_SERVE_AUTH ? digest(`Basic ${Buffer.from(process.env.CORRAL_SERVE_AUTH).toString('base64')}`) : null;
// The credentials stay in this process only: not in the env of anything it might start.
delete process.env.CORRAL_SERVE_AUTH;

/**
 * The file a URL path names: decoded once, kept inside the root, no dotfile segment. 'refused' for a
 * path that may never be served (no single-page fallback either), null for one that is not there.
 */
function resolveFile(urlPath: string): string | 'refused' | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return 'refused';
  }
  if (decoded.includes('\0')) return 'refused';
  const segments = decoded.split(/[\\/]+/).filter(Boolean);
  if (segments.some((segment) => segment.startsWith('.'))) return 'refused';
  let file = path.join(root, ...segments);
  try {
    if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    const real = fs.realpathSync(file);
    if (real !== root && !real.startsWith(root + path.sep)) return 'refused';
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

function send(response: http.ServerResponse, status: number, text: string, headers: http.OutgoingHttpHeaders = {}): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

const server = http.createServer((request, response) => {
  if (expectedAuth) {
    const given = digest(request.headers.authorization ?? '');
    if (!timingSafeEqual(given, expectedAuth)) return send(response, 401, 'authentication required\n', { 'WWW-Authenticate': 'Basic realm="corral serve"' });
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
  const urlPath = (request.url ?? '/').split('?')[0].split('#')[0];
  let file = resolveFile(urlPath);
  if (file === null && spa && !path.extname(urlPath)) file = resolveFile('/index.html');
  if (file === null || file === 'refused') return send(response, 404, 'not found\n');
  const stat = fs.statSync(file);
  response.writeHead(200, {
    'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    'Last-Modified': stat.mtime.toUTCString(),
    'X-Content-Type-Options': 'nosniff',
  });
  if (request.method === 'HEAD') return response.end();
  fs.createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
});

server.listen(port, host, () => {
  const address = server.address();
  const shown = typeof address === 'object' && address ? `${address.address}:${address.port}` : String(port);
  console.log(`serving ${root} on ${shown}${spa ? ' (single-page app)' : ''}${expectedAuth ? ' with basic auth' : ''}`);
});
