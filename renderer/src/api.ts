/**
 * The console's side of the IPC contract: one typed call per channel and the event stream, over
 * Electron's preload bridge when the console runs in the desktop shell, or over HTTP in web mode.
 * Every answer is checked against the contract's output schema before the UI sees it.
 */
import {
  channels,
  events,
  type ChannelName,
  type EventName,
  type EventPayload,
  type Input,
  type IpcError,
  type Output,
  type Result,
} from '../../shared/ipc/contract';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly error: IpcError) {
    super(error.message);
  }
}

type Listener = (event: EventName, payload: unknown) => void;

interface Transport {
  invoke(channel: ChannelName, input: unknown): Promise<Result<unknown>>;
  subscribe(listener: Listener): () => void;
}

/** What the preload script exposes on `window.custos` (see preload/preload.ts). */
interface Bridge {
  channels: Record<string, (input: unknown) => Promise<Result<unknown>>>;
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}

function bridgeTransport(bridge: Bridge): Transport {
  return {
    invoke: (channel, input) => bridge.channels[channel](input),
    subscribe: (listener) => bridge.onEvent((e, p) => listener(e as EventName, p)),
  };
}

const TOKEN_KEY = 'custos.token';

/** Web mode: the token arrives in the address fragment once, then lives in this tab only. */
function webToken(): string {
  const m = /(?:^|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash.slice(1));
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function webTransport(): Transport {
  const token = webToken();
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  return {
    async invoke(channel, input) {
      const res = await fetch(`/api/${channel}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(input),
      });
      if (res.status === 401)
        return {
          ok: false,
          error: {
            kind: 'forbidden',
            message: 'This page has no valid access token: open the address custos serve printed.',
          },
        };
      return (await res.json()) as Result<unknown>;
    },
    subscribe(listener) {
      const abort = new AbortController();
      void (async () => {
        try {
          const res = await fetch('/api/events', { headers, signal: abort.signal });
          const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const name = /^event: (.+)$/m.exec(block)?.[1];
              const data = /^data: (.+)$/m.exec(block)?.[1];
              if (name && data && name in events) listener(name as EventName, JSON.parse(data));
            }
          }
        } catch {
          // The stream ends when the page goes away or the server stops.
        }
      })();
      return () => abort.abort();
    },
  };
}

const bridge = (window as unknown as { custos?: Bridge }).custos;
const transport: Transport = bridge ? bridgeTransport(bridge) : webTransport();

export const mode: 'desktop' | 'web' = bridge ? 'desktop' : 'web';

export async function call<C extends ChannelName>(channel: C, input: Input<C>): Promise<Output<C>> {
  const r = await transport.invoke(channel, input);
  if (!r.ok) throw new ApiError(r.error);
  const out = channels[channel].output.safeParse(r.value);
  if (!out.success)
    throw new ApiError({ kind: 'failed', message: `${channel}: an answer of the wrong shape` });
  return out.data as Output<C>;
}

export function onEvent<E extends EventName>(
  name: E,
  handler: (payload: EventPayload<E>) => void,
): () => void {
  return transport.subscribe((event, payload) => {
    if (event !== name) return;
    const p = events[name].safeParse(payload);
    if (p.success) handler(p.data as EventPayload<E>);
  });
}

/** Web mode: starts the browser's download of a one-time address the server offered. */
export function startDownload(url: string) {
  const a = document.createElement('a');
  a.href = url;
  a.download = '';
  a.click();
}
