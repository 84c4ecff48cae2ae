import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

/** A failure the proxy injects into one response, the way a flaky network or server does. */
export type Fault =
  /**
   * Send the status line, headers (with the full Content-Length) and the first `afterBytes`
   * bytes of the body, then destroy the socket. `afterBytes` is clamped to length − 1, so the
   * body is always incomplete (an empty body gets `Content-Length: 1` and no bytes).
   */
  | { kind: 'drop'; afterBytes: number }
  /** Send a complete, well-formed response whose body is cut to `bytes` bytes. */
  | { kind: 'truncate'; bytes: number }
  /** Flip every bit of the body byte at `offset % length` (nothing to flip in an empty body). */
  | { kind: 'corrupt'; offset: number }
  /** Answer with this status and a short text body; upstream is not contacted. */
  | { kind: 'status'; status: number }
  /**
   * Accept the request and send nothing for `ms` (or until the client gives up), then forward
   * it normally, like a server that is slow to answer.
   */
  | { kind: 'stall'; ms: number };

/** Applies `fault` to requests whose path (`req.url`, query included) `match`es. */
export interface FaultRule {
  match: (path: string) => boolean;
  fault: Fault;
  /** How many requests this rule applies to before it is exhausted; default Infinity. */
  times?: number;
}

/** A running fault-injecting proxy. */
export interface FaultProxy {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Every request path received (`req.url`, query included), in order of arrival. */
  requests: string[];
  /** Replaces the rules (and resets their `times` counters). The first live match wins. */
  setRules(rules: FaultRule[]): void;
  /** Closes the listener and destroys every open connection; never hangs. */
  stop(): Promise<void>;
}

// Response headers worth passing on; the proxy sets Content-Length itself.
const PASS_RESPONSE_HEADERS = [
  'content-type',
  'cache-control',
  'etag',
  'last-modified',
  'content-range',
  'accept-ranges',
];
// Request headers worth passing on (conditional and range requests, identification).
const PASS_REQUEST_HEADERS = [
  'accept',
  'range',
  'if-none-match',
  'if-modified-since',
  'user-agent',
  'cache-control',
];

interface Upstream {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

async function fetchUpstream(
  upstream: string,
  req: IncomingMessage,
  signal: AbortSignal,
): Promise<Upstream> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  for (const name of PASS_REQUEST_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const response = await fetch(`${upstream}${req.url ?? '/'}`, {
    method: req.method,
    headers,
    redirect: 'manual',
    signal,
  });
  const body = Buffer.from(await response.arrayBuffer());
  const out: OutgoingHttpHeaders = {};
  for (const name of PASS_RESPONSE_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) out[name] = value;
  }
  const location = response.headers.get('location');
  if (location !== null) out['location'] = location;
  return { status: response.status, headers: out, body };
}

/**
 * Starts an HTTP proxy on 127.0.0.1 (a free port) in front of `upstream` (an `http://` base URL,
 * possibly with a path): a GET or HEAD of `<proxy>/p` fetches `<upstream>/p` and passes on the
 * status, body and main headers, unless a {@link FaultRule} matches. Bodies are buffered whole.
 * Other methods get 405; an unreachable upstream gives 502.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const base = upstream.replace(/\/+$/, '');
  const requests: string[] = [];
  let rules: { rule: FaultRule; used: number }[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;

  const pickFault = (path: string): Fault | undefined => {
    for (const entry of rules) {
      if (entry.used >= (entry.rule.times ?? Infinity)) continue;
      if (!entry.rule.match(path)) continue;
      entry.used++;
      return entry.rule.fault;
    }
    return undefined;
  };

  const send = (res: ServerResponse, head: boolean, up: Upstream, body: Buffer) => {
    res.writeHead(up.status, { ...up.headers, 'content-length': body.length });
    res.end(head ? undefined : body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = req.url ?? '/';
    requests.push(path);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 }).end();
      return;
    }
    const head = req.method === 'HEAD';
    const fault = pickFault(path);
    const gone = new AbortController();
    res.once('close', () => gone.abort());

    if (fault?.kind === 'status') {
      const text = `fault-proxy: injected status ${fault.status}\n`;
      res.writeHead(fault.status, {
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(text),
      });
      res.end(head ? undefined : text);
      return;
    }
    if (fault?.kind === 'stall') {
      await new Promise<void>((done) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          done();
        }, fault.ms);
        timers.add(timer);
        gone.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          timers.delete(timer);
          done();
        });
      });
      if (gone.signal.aborted || stopping) return;
    }

    let up: Upstream;
    try {
      up = await fetchUpstream(base, req, gone.signal);
    } catch (err) {
      if (gone.signal.aborted) return;
      const text = `fault-proxy: upstream failed: ${String(err)}\n`;
      res.writeHead(502, { 'content-type': 'text/plain', 'content-length': text.length });
      res.end(text);
      return;
    }
    if (gone.signal.aborted) return;
    const body = up.body;

    switch (fault?.kind) {
      case 'drop': {
        const length = Math.max(body.length, 1);
        const n = Math.max(0, Math.min(fault.afterBytes, length - 1));
        res.writeHead(up.status, { ...up.headers, 'content-length': length });
        const kill = () => res.socket?.destroy();
        if (n > 0 && !head) res.write(body.subarray(0, n), kill);
        else {
          res.flushHeaders();
          // Let the headers reach the socket before cutting it.
          setImmediate(kill);
        }
        return;
      }
      case 'truncate':
        send(res, head, up, body.subarray(0, Math.max(0, Math.min(fault.bytes, body.length))));
        return;
      case 'corrupt': {
        const copy = Buffer.from(body);
        if (copy.length > 0) {
          const i = ((fault.offset % copy.length) + copy.length) % copy.length;
          copy[i] = copy[i]! ^ 0xff;
        }
        send(res, head, up, copy);
        return;
      }
      default:
        send(res, head, up, body);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fault-proxy: ${String(err)}\n`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 2_000;

  await new Promise<void>((done, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      done();
    });
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy has no address');

  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    setRules(next) {
      rules = next.map((rule) => ({ rule, used: 0 }));
    },
    stop() {
      stopped ??= new Promise<void>((done) => {
        stopping = true;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
