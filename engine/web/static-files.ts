import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { CONTENT_SECURITY_POLICY } from '../protocol/security';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Text types worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);

type Encoding = 'br' | 'gzip';

/** Compressed copies of the served files, made once per file version (the build does not change while served). */
const compressed = new Map<string, Buffer>();

/** The encoding to send: Brotli where the browser takes it (every current one over http://localhost), else gzip, else none. */
export function chooseEncoding(acceptEncoding: string | string[] | undefined): Encoding | null {
  const accepted = new Set(
    String(acceptEncoding ?? '')
      .split(',')
      .map((part) => part.split(';')[0]?.trim().toLowerCase())
      .filter(Boolean),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}

function compressedFile(file: string, stat: fs.Stats, encoding: Encoding): Buffer {
  const key = `${encoding}:${file}:${stat.mtimeMs}:${stat.size}`;
  let body = compressed.get(key);
  if (!body) {
    const raw = fs.readFileSync(file);
    body =
      encoding === 'br'
        ? zlib.brotliCompressSync(raw, {
            params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
          })
        : zlib.gzipSync(raw, { level: 9 });
    compressed.set(key, body);
  }
  return body;
}

/** Serves the built renderer from `root`, text compressed; paths outside it, and anything missing, are 404. */
export function serveStatic(root: string, request: http.IncomingMessage, response: http.ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    response
      .writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' })
      .end('Bad request: the path is not valid percent-encoded UTF-8.');
    return;
  }
  const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
  const file = path.resolve(root, relative);
  if (!file.startsWith(path.resolve(root) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  const headers = {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
    Vary: 'Accept-Encoding',
  };
  const encoding = COMPRESSIBLE.has(path.extname(file)) ? chooseEncoding(request.headers['accept-encoding']) : null;
  if (encoding) {
    const body = compressedFile(file, fs.statSync(file), encoding);
    response
      .writeHead(200, { ...headers, 'Content-Encoding': encoding, 'Content-Length': body.length })
      .end(request.method === 'HEAD' ? undefined : body);
    return;
  }
  response.writeHead(200, headers);
  fs.createReadStream(file).pipe(response);
}
