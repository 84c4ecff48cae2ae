/** A store synced into a new cache, with a search service on it. */
import { join } from 'node:path';
import { syncSource } from '../../main/sync/engine';
import { FolderStorage } from '../../main/tlog/storage';
import { readTrust } from '../../main/tlog/keys';
import { SearchService } from '../../main/search/service';
import { newKey, openStore } from './cache';

export async function searchableCache(dir: string, store: string, trust: string, name = 'c.db') {
  const key = newKey();
  const path = join(dir, name);
  const cache = openStore(path, key);
  await syncSource(cache, new FolderStorage(store), await readTrust(trust));
  return { path, key, cache, search: new SearchService(cache.db) };
}
