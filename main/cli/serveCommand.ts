/** `custos serve`: the console in a browser (web mode), over one cache, on 127.0.0.1. */
import { fileURLToPath } from 'node:url';
import type { EventName, EventPayload } from '../../shared/ipc/contract';
import { createHandlers } from '../ipc/handlers';
import { startWebServer, type WebServer } from '../web/server';
import { openCacheDb } from '../store/cache';
import { CacheStore } from '../store/cacheStore';
import { cacheKey } from './cacheCommands';
import { Journal, officerName } from '../journal/journal';
import { CUSTOS_VERSION } from '../version';
import { nonNegativeInteger, parseCommandArgs, required } from './args';
import { EXIT_OK } from './errors';
import type { Output } from './output';

export const RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

export async function serveCommand(
  argv: string[],
  out: Output,
  /** Resolves when the server should stop (tests); by default SIGINT or SIGTERM. */
  until: Promise<unknown> = new Promise((ok) => {
    process.once('SIGINT', ok);
    process.once('SIGTERM', ok);
  }),
): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    cache: { type: 'string' },
    'key-file': { type: 'string' },
    port: { type: 'string' },
  });
  const cachePath = required(values.cache, '--cache');
  const port = nonNegativeInteger(values.port, '--port', 0);
  const key = await cacheKey(values['key-file']);
  const store = new CacheStore(openCacheDb(cachePath, key));
  let sink: <E extends EventName>(event: E, payload: EventPayload<E>) => void = () => {};
  let server: WebServer | null = null;
  const officer = officerName();
  const handlers = createHandlers({
    cachePath,
    store,
    key,
    officer,
    custosVersion: CUSTOS_VERSION,
    journal: Journal.open(store, cachePath, { officer }),
    emit: (e, p) => sink(e, p),
    offerDownload: (name, type, produce) => server!.offerDownload(name, type, produce),
  });
  server = await startWebServer({
    handlers,
    staticDir: RENDERER_DIR,
    port,
    onUnexpected: (channel, e) =>
      out.error(`custos serve: ${channel}: unexpected error: ${(e as Error).message}`),
  });
  sink = server.emit;
  out.line(`Custos console (web mode) for ${cachePath}`);
  out.line(`open ${server.url}`);
  out.line('(the address holds this session’s access token: do not share it; Ctrl+C stops)');
  try {
    await until;
  } finally {
    await server.close();
    store.close();
  }
  return EXIT_OK;
}
