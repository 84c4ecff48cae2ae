/**
 * Web mode: the contract over HTTP on 127.0.0.1. Only the console, with this run's token, from its
 * own origin and Host, gets in; files are served from one folder only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, startWebServer, type WebServer } from '../../main/web/server';
import { testWorkspace } from '../helpers/workspace';

let ws: Awaited<ReturnType<typeof testWorkspace>>;
let server: WebServer;
let port: number;

beforeAll(async () => {
  ws = await testWorkspace(300);
  const site = join(ws.dir, 'site');
  mkdirSync(join(site, 'assets'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>Custos</title>');
  writeFileSync(join(site, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(ws.dir, 'secret.txt'), 'do not serve');
  server = await startWebServer({ handlers: ws.handlers, staticDir: site });
  port = Number(new URL(server.origin).port);
}, 60_000);
afterAll(async () => {
  await server?.close();
  ws?.cache.close();
});

/** A raw HTTP request, so that Host, Origin and the path go out exactly as written. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => ok({ status: res.statusCode!, headers: res.headers, body: data }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

const good = () => ({
  Host: `127.0.0.1:${port}`,
  Authorization: `Bearer ${server.token}`,
  'Content-Type': 'application/json',
});
const call = (channel: string, input: unknown, headers: Record<string, string> = good()) =>
  raw('POST', `/api/${channel}`, headers, JSON.stringify(input));

describe('web mode', () => {
  it('listens on 127.0.0.1 only and gives the token in the address fragment', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).toBe(`${server.origin}/#token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('answers the console with its token', async () => {
    const r = await call('search.count', { query: 'outcome:failure' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true, value: 18 });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    expect(r.headers['cache-control']).toBe('no-store');
  });

  type Headers = Record<string, string>;
  it.each<[string, (h: Headers) => Headers, number]>([
    ['no token', (h) => ({ ...h, Authorization: '' }), 401],
    ['a wrong token', (h) => ({ ...h, Authorization: `Bearer ${'A'.repeat(43)}` }), 401],
    ['a token of another length', (h) => ({ ...h, Authorization: 'Bearer x' }), 401],
    ['a wrong Host (DNS rebinding)', (h) => ({ ...h, Host: `evil.example:${port}` }), 421],
    ['a Host with another port', (h) => ({ ...h, Host: `127.0.0.1:${port + 1}` }), 421],
    ['another origin', (h) => ({ ...h, Origin: 'https://evil.example' }), 403],
    ['a cross-site fetch', (h) => ({ ...h, 'Sec-Fetch-Site': 'cross-site' }), 403],
    ['a form post', (h) => ({ ...h, 'Content-Type': 'application/x-www-form-urlencoded' }), 415],
  ])('refuses a request with %s', async (_, headers, status) => {
    const r = await call('search.count', { query: '' }, headers(good()));
    expect(r.status).toBe(status);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    expect(r.body).not.toContain('value');
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers no CORS preflight', async () => {
    const r = await raw('OPTIONS', '/api/search.count', {
      Host: `127.0.0.1:${port}`,
      Origin: 'https://evil.example',
      'Access-Control-Request-Method': 'POST',
    });
    expect(r.status).toBe(403);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    expect(r.headers['access-control-allow-headers']).toBeUndefined();
  });

  it('validates input and channels like the desktop IPC', async () => {
    expect(JSON.parse((await call('search.count', { query: 7 })).body)).toMatchObject({
      ok: false,
      error: { kind: 'bad-request' },
    });
    expect(JSON.parse((await call('shell.exec', {})).body)).toMatchObject({
      ok: false,
      error: { kind: 'bad-request', message: 'no such operation "shell.exec"' },
    });
    const notJson = await raw('POST', '/api/search.count', good(), '{nope');
    expect(JSON.parse(notJson.body)).toMatchObject({ ok: false, error: { message: 'not JSON' } });
    const big = await raw('POST', '/api/search.count', good(), 'x'.repeat(2 << 20));
    expect(big.status).toBe(413);
  });

  it('serves the console with a strict CSP, and nothing outside its folder', async () => {
    const host = { Host: `127.0.0.1:${port}` };
    const index = await raw('GET', '/', host);
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Custos</title>');
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(index.headers['x-frame-options']).toBe('DENY');
    expect((await raw('GET', '/assets/app.js', host)).headers['content-type']).toMatch(
      /^text\/javascript/,
    );
    for (const path of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%00index.html',
      '/%E0%A4%A',
    ]) {
      const r = await raw('GET', path, host);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.body, path).not.toContain('do not serve');
    }
    expect((await raw('GET', '/', { Host: 'evil.example' })).status).toBe(421);
    expect((await raw('PUT', '/index.html', host)).status).toBe(405);
  });

  it('serves an offered download once, by its one-time address', async () => {
    const url = server.offerDownload('export.csv', 'text/csv', async (write) => {
      await write('a,b\r\n');
      await write('1,2\r\n');
      return 1;
    });
    expect(url).toMatch(/^\/api\/download\/[A-Za-z0-9_-]{43}$/);
    const host = { Host: `127.0.0.1:${port}` };
    expect((await raw('GET', '/api/download/' + 'x'.repeat(43), host)).status).toBe(404);
    const r = await raw('GET', url, host);
    expect(r.status).toBe(200);
    expect(r.body).toBe('a,b\r\n1,2\r\n');
    expect(r.headers['content-disposition']).toBe('attachment; filename="export.csv"');
    expect((await raw('GET', url, host)).status).toBe(404);
    expect((await raw('GET', url, { Host: 'evil.example' })).status).toBe(421);
  });

  it('streams events to the console with its token only', async () => {
    expect((await raw('GET', '/api/events', { Host: `127.0.0.1:${port}` })).status).toBe(401);
    const res = await fetch(`${server.origin}/api/events`, {
      headers: { Authorization: `Bearer ${server.token}` },
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    await reader.read(); // the opening comment
    server.emit('alarm.raised', { message: 'a test alarm' });
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe(
      'event: alarm.raised\ndata: {"message":"a test alarm"}\n\n',
    );
    await reader.cancel();
  });
});
