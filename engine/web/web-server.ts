import crypto from 'node:crypto';
import http from 'node:http';
import { ENGINE_CALL_NAMES, type EngineCallName, type EngineResult, type RunMessage } from '../protocol/engine';
import { toResult } from '../protocol/errors';
import { EventStreams } from './event-streams';
import { serveStatic } from './static-files';
import type { WebEngine } from './web-engine';

export interface WebServerOptions {
  engine: WebEngine;
  /** The built renderer (index.html and its assets). */
  staticDir: string;
  token: string;
  /** Host names a request may address (DNS-rebinding guard); the bound host is always allowed. */
  allowedHosts: string[];
}

const MAX_BODY_BYTES = 1 << 20;

/**
 * The web mode's bridge: the renderer as static files, every engine call as `POST /api/call/NAME` (body:
 * the params; answer: `{ok, value} | {ok: false, error}`, as over IPC), run messages as server-sent events
 * on `GET /api/events`. Every `/api/` request must carry the token (`Authorization: Bearer …` or `?token=`).
 */
export function createWebServer(
  options: WebServerOptions,
  limits?: ConstructorParameters<typeof EventStreams>[0],
): http.Server {
  const streams = new EventStreams(limits);
  const unsubscribe = options.engine.onRunMessage((message: RunMessage) =>
    streams.broadcast(`data: ${JSON.stringify(message)}\n\n`),
  );
  const server = http.createServer((request, response) => {
    void route(options, streams, request, response).catch((error: unknown) => {
      if (!response.headersSent)
        json(response, 500, { ok: false, error: { code: 'internal', message: (error as Error).message } });
      else response.end();
    });
  });
  // Keeps the event streams alive through proxies and SSH tunnels that drop idle connections.
  const heartbeat = setInterval(() => streams.broadcast(': keep-alive\n\n'), 15_000);
  server.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
  return server;
}

async function route(
  options: WebServerOptions,
  streams: EventStreams,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const host = (request.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (!options.allowedHosts.includes(host)) {
    json(response, 421, {
      ok: false,
      error: {
        code: 'bad-host',
        message: `This server answers requests for ${options.allowedHosts.join(', ')}, not "${host}".`,
      },
    });
    return;
  }
  if (!url.pathname.startsWith('/api/')) {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      json(response, 405, { ok: false, error: { code: 'bad-request', message: 'Only GET is served outside /api/.' } });
    else serveStatic(options.staticDir, request, response);
    return;
  }
  if (!hasToken(request, url, options.token)) {
    json(response, 401, {
      ok: false,
      error: {
        code: 'unauthorized',
        message: 'Missing or wrong token: open the URL that `modality-studio serve` printed (it ends in ?token=…).',
      },
    });
    return;
  }
  if (url.pathname === '/api/events' && request.method === 'GET') {
    streams.open(request, response);
    return;
  }
  const call = /^\/api\/call\/([a-z]+:[a-z-]+)$/.exec(url.pathname)?.[1];
  if (!call || request.method !== 'POST') {
    json(response, 404, {
      ok: false,
      error: {
        code: 'bad-request',
        message: `No ${request.method} ${url.pathname}; calls are POST /api/call/NAME with NAME one of ${ENGINE_CALL_NAMES.join(', ')}.`,
      },
    });
    return;
  }
  const body = await readBody(request);
  if (body === null) {
    json(response, 413, {
      ok: false,
      error: { code: 'bad-request', message: `The request body is over ${MAX_BODY_BYTES} bytes.` },
    });
    return;
  }
  let params: unknown;
  try {
    params = body.length === 0 ? {} : JSON.parse(body);
  } catch {
    json(response, 400, {
      ok: false,
      error: { code: 'bad-request', message: "The request body is not JSON; send the call's params as a JSON object." },
    });
    return;
  }
  json(response, 200, await answer(options.engine, call, params));
}

/** The engine checks the call name and params itself; errors come back as data, never as a 500. */
function answer(engine: WebEngine, call: string, params: unknown): Promise<EngineResult<unknown>> {
  return toResult(() => engine.call(call as EngineCallName, params as never));
}

function hasToken(request: http.IncomingMessage, url: URL, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : (url.searchParams.get('token') ?? '');
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function readBody(request: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function json(response: http.ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
    .end(JSON.stringify(body));
}

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}
