import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunMessage } from '../protocol/engine';
import { AppError } from '../protocol/errors';
import type { WebEngine } from './web-engine';
import { createWebServer } from './web-server';

const TOKEN = 'secret-token-123';
const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-static-'));
fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
fs.writeFileSync(path.join(os.tmpdir(), 'ms-outside.txt'), 'private');
const SCRIPT = Array.from({ length: 2000 }, (_, i) => `export const value${i} = ${i};`).join('\n');
fs.writeFileSync(path.join(staticDir, 'app.js'), SCRIPT);

const calls: { name: string; params: unknown }[] = [];
const listeners = new Set<(message: RunMessage) => void>();
const engine: WebEngine = {
  async call(name, params) {
    calls.push({ name, params });
    if (name === 'runs:show') throw new AppError('not-found', 'No run "x" in the database.');
    return { runs: [] } as never;
  },
  onRunMessage(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

let server: http.Server;
let base = '';
beforeAll(async () => {
  server = createWebServer({ engine, staticDir, token: TOKEN, allowedHosts: ['127.0.0.1', 'localhost'] });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  fs.rmSync(staticDir, { recursive: true, force: true });
});

const post = (name: string, body: string, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) =>
  fetch(`${base}/api/call/${name}`, { method: 'POST', headers, body });

describe('the web mode bridge', () => {
  it('refuses every API request without the right token, and does not reach the engine', async () => {
    const before = calls.length;
    expect((await post('runs:list', '{}', {})).status).toBe(401);
    expect((await post('runs:list', '{}', { Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await fetch(`${base}/api/events`)).status).toBe(401);
    expect(calls.length).toBe(before);
  });

  it('relays a call with its params and answers with the result as data', async () => {
    const response = await post('runs:list', '{}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, value: { runs: [] } });
    expect(calls.at(-1)).toEqual({ name: 'runs:list', params: {} });
    expect(
      await (await fetch(`${base}/api/call/runs:list?token=${TOKEN}`, { method: 'POST', body: '{}' })).json(),
    ).toMatchObject({ ok: true });
  });

  it("passes the engine's errors through with their code", async () => {
    expect(await (await post('runs:show', '{"id":"x"}')).json()).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'No run "x" in the database.' },
    });
  });

  it('rejects bodies that are not JSON or too large', async () => {
    expect((await post('runs:list', '{nope')).status).toBe(400);
    expect((await post('runs:list', JSON.stringify({ x: 'a'.repeat(1_100_000) }))).status).toBe(413);
  });

  it('streams run messages to event subscribers', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/api/events?token=${TOKEN}`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    await reader.read(); // ": connected"
    const message: RunMessage = {
      kind: 'run-event',
      runId: 'r1',
      event: { type: 'log', level: 'info', message: 'hello' },
    };
    listeners.forEach((listener) => listener(message));
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe(`data: ${JSON.stringify(message)}\n\n`);
    controller.abort();
  });

  it('serves the UI with a strict Content-Security-Policy, and nothing outside its folder', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(index.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await fetch(`${base}/..%2Fms-outside.txt`)).status).toBe(404);
    expect((await fetch(`${base}/missing.js`)).status).toBe(404);
  });

  it('sends text assets compressed (Brotli, else gzip) to a browser that takes it, and as they are to one that does not', async () => {
    const raw = (encoding?: string) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const url = new URL(`${base}/app.js`);
        http
          .get(
            {
              host: url.hostname,
              port: url.port,
              path: url.pathname,
              headers: encoding ? { 'Accept-Encoding': encoding } : {},
            },
            (response) => {
              const chunks: Buffer[] = [];
              response
                .on('data', (chunk: Buffer) => chunks.push(chunk))
                .on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
            },
          )
          .on('error', reject);
      });
    const brotli = await raw('gzip, deflate, br');
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers.vary).toBe('Accept-Encoding');
    expect(brotli.body.length).toBeLessThan(SCRIPT.length / 4);
    expect(zlib.brotliDecompressSync(brotli.body).toString()).toBe(SCRIPT);
    const gzip = await raw('gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gzip.body).toString()).toBe(SCRIPT);
    const plain = await raw();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const response = await new Promise<number>((resolve) => {
      // fetch will not let us set Host; the http module will.
      void import('node:http').then(({ request }) => {
        request(
          `${base}/api/call/runs:list`,
          { method: 'POST', headers: { Host: 'evil.example:80', Authorization: `Bearer ${TOKEN}` } },
          (res) => resolve(res.statusCode ?? 0),
        ).end('{}');
      });
    });
    expect(response).toBe(421);
  });

  it('answers a path that is not valid percent-encoding with 400, not 500', async () => {
    expect((await fetch(`${base}/%ff`)).status).toBe(400);
    expect((await fetch(`${base}/%E0%A4%A`)).status).toBe(400);
  });
});

describe('event streams are bounded', () => {
  let small: http.Server;
  let smallBase = '';
  beforeAll(async () => {
    small = createWebServer(
      { engine, staticDir, token: TOKEN, allowedHosts: ['127.0.0.1'] },
      { maxStreams: 2, maxQueuedBytes: 64 * 1024 },
    );
    await new Promise<void>((resolve) => small.listen(0, '127.0.0.1', resolve));
    smallBase = `http://127.0.0.1:${(small.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    small.closeAllConnections();
    small.close();
  });

  it('refuses a stream beyond the cap with 503 and takes one again when a stream closes', async () => {
    const controllers = [new AbortController(), new AbortController()];
    for (const controller of controllers)
      expect((await fetch(`${smallBase}/api/events?token=${TOKEN}`, { signal: controller.signal })).status).toBe(200);
    const refused = await fetch(`${smallBase}/api/events?token=${TOKEN}`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'busy' } });
    controllers[0]!.abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = new AbortController();
    expect((await fetch(`${smallBase}/api/events?token=${TOKEN}`, { signal: again.signal })).status).toBe(200);
    [again, ...controllers].forEach((controller) => controller.abort());
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  it('drops a stream whose reader stopped reading instead of queueing without bound', async () => {
    const { request } = await import('node:http');
    const closed = new Promise<string>((resolve) => {
      request(`${smallBase}/api/events?token=${TOKEN}`, (response) => {
        response.pause(); // a reader that never reads: the kernel's buffers fill, then the server's queue
        response.on('close', () => resolve('closed'));
        response.on('error', () => resolve('closed'));
        const big: RunMessage = {
          kind: 'run-event',
          runId: 'r1',
          event: { type: 'log', level: 'info', message: 'x'.repeat(100_000) },
        };
        for (let i = 0; i < 400; i += 1) listeners.forEach((listener) => listener(big));
        response.resume();
      })
        .on('error', () => resolve('closed'))
        .end();
    });
    expect(await closed).toBe('closed');
  });
});
