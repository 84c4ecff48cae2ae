/**
 * Web mode: the IPC contract over HTTP on 127.0.0.1, for a browser where the desktop shell cannot
 * run. `POST /api/<channel>` with a JSON body calls a channel; `GET /api/events` streams events
 * (server-sent events). Every API request needs the per-run token (`Authorization: Bearer ...`);
 * every request needs a Host header naming this server (no DNS rebinding), and a request from
 * another origin is refused. There are no CORS headers, so no other site can read an answer.
 * The console's files are served from one folder, with a path-traversal check and a strict CSP.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { EventName, EventPayload } from '../../shared/ipc/contract';
import { dispatch } from '../ipc/dispatch';
import type { Handlers } from '../ipc/handlers';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // MUI and AG Grid set styles at run time; scripts never get 'unsafe-inline' or 'unsafe-eval'.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

const MAX_BODY = 1 << 20;
/** Evidence files come through the console as base64 (see the cases.addEvidence channel). */
const MAX_UPLOAD_BODY = 50 << 20;
const UPLOAD_CHANNELS = new Set(['cases.addEvidence']);

export interface WebServer {
  /** The address to open, with the token in the fragment (never sent to a server or a log). */
  url: string;
  origin: string;
  token: string;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /**
   * Offers a one-time download (an export): its address holds a random 256-bit name, is good for
   * one fetch within a minute, and streams what `produce` writes.
   */
  offerDownload(
    name: string,
    type: string,
    produce: (write: (chunk: string | Uint8Array) => Promise<void>) => Promise<number>,
  ): string;
  close(): Promise<void>;
}

export interface WebServerOptions {
  handlers: Handlers;
  /** The built console (index.html and its assets); a short notice is served when absent. */
  staticDir: string;
  port?: number;
  onUnexpected?: (channel: string, error: unknown) => void;
}

function securityHeaders(res: ServerResponse) {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

const refuse = (res: ServerResponse, status: number, message: string) =>
  send(res, status, JSON.stringify({ ok: false, error: { kind: 'forbidden', message } }));

async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(`Bearer ${token}`);
  const root = resolve(opts.staticDir);
  const streams = new Set<ServerResponse>();
  const downloads = new Map<
    string,
    {
      name: string;
      type: string;
      expires: number;
      produce: (write: (chunk: string | Uint8Array) => Promise<void>) => Promise<number>;
    }
  >();
  let hosts: Set<string> = new Set();
  let origin = '';

  const authorized = (req: IncomingMessage) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    return given.length === tokenBytes.length && timingSafeEqual(given, tokenBytes);
  };

  const serveStatic = async (res: ServerResponse, pathname: string) => {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return refuse(res, 400, 'bad path');
    }
    if (rel.includes('\0')) return refuse(res, 400, 'bad path');
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = resolve(join(root, rel));
    if (file !== root && !file.startsWith(root + sep))
      return refuse(res, 403, 'outside the console');
    try {
      const st = await stat(file);
      if (!st.isFile()) return send(res, 404, 'not found', 'text/plain; charset=utf-8');
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': rel === '/index.html' ? 'no-store' : 'max-age=3600',
      });
      res.end(body);
    } catch {
      if (rel === '/index.html')
        return send(
          res,
          503,
          'The console is not built yet: run npm run build, then reload.',
          'text/plain; charset=utf-8',
        );
      send(res, 404, 'not found', 'text/plain; charset=utf-8');
    }
  };

  const server = createServer(async (req, res) => {
    securityHeaders(res);
    // DNS rebinding: the Host must be this server, by address or as localhost.
    if (!hosts.has(req.headers.host ?? '')) return refuse(res, 421, 'wrong Host header');
    // Another site's page may send requests here; none of them gets in.
    const from = req.headers.origin;
    if (from !== undefined && from !== origin) return refuse(res, 403, 'cross-origin request');
    if (req.headers['sec-fetch-site'] === 'cross-site')
      return refuse(res, 403, 'cross-site request');
    const url = new URL(req.url ?? '/', origin);
    const download = /^\/api\/download\/([A-Za-z0-9_-]{43})$/.exec(url.pathname);
    if (download && req.method === 'GET') {
      // A browser download cannot carry the token: the one-time name is the capability.
      const offer = downloads.get(download[1]);
      downloads.delete(download[1]);
      if (!offer || offer.expires < Date.now()) return refuse(res, 404, 'no such download');
      res.writeHead(200, {
        'Content-Type': offer.type,
        'Content-Disposition': `attachment; filename="${offer.name.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
        'Cache-Control': 'no-store',
      });
      try {
        await offer.produce(async (chunk) => {
          if (!res.write(chunk)) await new Promise((ok) => res.once('drain', ok));
        });
      } finally {
        res.end();
      }
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      if (!authorized(req)) return refuse(res, 401, 'missing or wrong token');
      if (url.pathname === '/api/events' && req.method === 'GET') {
        res.writeHead(200, {
          'Content-Type': 'text/event-stream',
          'Cache-Control': 'no-store',
          Connection: 'keep-alive',
        });
        res.write(': custos events\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      if (req.method !== 'POST') return refuse(res, 405, 'use POST');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return refuse(res, 415, 'send JSON');
      const body = await readBody(
        req,
        UPLOAD_CHANNELS.has(url.pathname.slice('/api/'.length)) ? MAX_UPLOAD_BODY : MAX_BODY,
      );
      if (body === null) {
        // The rest of the body is not read: this connection cannot carry another request.
        res.setHeader('Connection', 'close');
        return refuse(res, 413, 'request too large');
      }
      let input: unknown;
      try {
        input = JSON.parse(body);
      } catch {
        return send(
          res,
          400,
          JSON.stringify({ ok: false, error: { kind: 'bad-request', message: 'not JSON' } }),
        );
      }
      const channel = url.pathname.slice('/api/'.length);
      const result = await dispatch(opts.handlers, channel, input, opts.onUnexpected);
      return send(res, 200, JSON.stringify(result));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'read only');
    return serveStatic(res, url.pathname);
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    offerDownload(name, type, produce) {
      const id = randomBytes(32).toString('base64url');
      const now = Date.now();
      for (const [k, d] of downloads) if (d.expires < now) downloads.delete(k);
      downloads.set(id, { name, type, produce, expires: now + 60_000 });
      return `/api/download/${id}`;
    },
    emit(event, payload) {
      const data = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
      for (const s of streams) s.write(data);
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const s of streams) s.end();
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
