/**
 * Re-verifies a cache in a worker thread, on its own connection, so that the process serving the
 * console keeps answering (and progress reaches the screen) while a million entries are checked.
 * The key is handed over in memory (workerData), never on a command line or in a file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parsePolicy } from '../../shared/tlog/policy';
import { nodeCrypto } from '../crypto/nodeCrypto';
import { openCacheDb } from './cache';
import { CacheStore } from './cacheStore';
import { verifyCache } from './verifyCache';

const { path, key, policy } = workerData as {
  path: string;
  key: Uint8Array;
  policy: string | null;
};
const store = new CacheStore(openCacheDb(path, Buffer.from(key)));
try {
  let last = 0;
  const report = verifyCache(
    store,
    policy ? parsePolicy(nodeCrypto, policy, 'the trust policy stored in the cache') : null,
    (origin, done, total) => {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      parentPort!.postMessage({ progress: { origin, done, total } });
    },
  );
  parentPort!.postMessage({ report });
} catch (e) {
  parentPort!.postMessage({ error: (e as Error).message });
} finally {
  store.close();
}
