/** A small synced workspace with the console's handlers over it, for IPC and web mode tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventName } from '../../shared/ipc/contract';
import { createHandlers, TRUST_META } from '../../main/ipc/handlers';
import { Journal } from '../../main/journal/journal';
import { newLogKey, sealRange } from './cache';
import { tempDir } from './cli';
import { searchableCache } from './search';

export async function testWorkspace(
  entries = 600,
  opts: { journal?: boolean; origin?: string } = {},
) {
  const dir = tempDir('custos-ws-');
  const log = await newLogKey(dir, 'log', opts.origin ?? 'console.example/log');
  const store = join(dir, 'store');
  await sealRange(store, log.key, 0, entries);
  const c = await searchableCache(dir, store, log.pub);
  c.cache.setMeta(TRUST_META, readFileSync(log.pub, 'utf8'));
  const events: Array<{ event: EventName; payload: unknown }> = [];
  const officer = 'Thandi Officer';
  const journal = opts.journal ? Journal.open(c.cache, c.path, { officer }) : null;
  const handlers = createHandlers({
    cachePath: c.path,
    store: c.cache,
    key: c.key,
    officer,
    journal,
    exportsDir: join(dir, 'exports'),
    emit: (event, payload) => events.push({ event, payload }),
  });
  return { dir, log, storePath: store, ...c, handlers, events, journal };
}
