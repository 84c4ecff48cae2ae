/**
 * A sync killed with SIGKILL at 20 moments and restarted each time ends with exactly the right
 * entries and a cache that verifies: every commit is a transaction, and the sync state moves with it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTrust } from '../../main/tlog/keys';
import { verifyCache } from '../../main/store/verifyCache';
import { tempDir } from '../helpers/cli';
import { newKey, newLogKey, openStore, readCheckpoint, sealRange } from '../helpers/cache';
import { REPO } from '../helpers/paths';

let dir: string;
let log: { key: string; pub: string };
let store: string;

beforeAll(async () => {
  dir = tempDir('custos-crash-');
  log = await newLogKey(dir, 'log', 'crash.example/log');
  store = join(dir, 'store');
  await sealRange(store, log.key, 0, 30_000);
});

type KillAt = { ms: number } | { entries: number };

/**
 * Starts a sync and SIGKILLs it at a moment: after some milliseconds (which may fall during start-up)
 * or once the cache holds a given number of entries (watched through a second, reading connection),
 * or lets it finish first. Resolves with how it ended.
 */
function syncKilledAt(cache: string, key: Buffer, at: KillAt): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(REPO, 'bin/custos.mjs'), 'sync', '--cache', cache, '--from', store, '--trust', log.pub],
      {
        env: { ...process.env, CUSTOS_CACHE_KEY: key.toString('hex') },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let watcher: ReturnType<typeof openStore> | null = null;
    const timer =
      'ms' in at
        ? setTimeout(() => child.kill('SIGKILL'), at.ms)
        : setInterval(() => {
            try {
              watcher ??= existsSync(cache) ? openStore(cache, key, false) : null;
              const l = watcher?.logByOrigin('crash.example/log');
              if (l && watcher!.entryCount(l.id) >= at.entries) child.kill('SIGKILL');
            } catch {
              // The cache may not be readable yet (being created): look again shortly.
            }
          }, 10);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(timer);
      watcher?.close();
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`sync exited ${code}: ${stderr}`));
    });
  });
}

function storedEntries(cache: string, key: Buffer): number {
  if (!existsSync(cache)) return 0;
  const c = openStore(cache, key, false);
  try {
    const l = c.logByOrigin('crash.example/log');
    return l ? c.entryCount(l.id) : 0;
  } finally {
    c.close();
  }
}

describe('a sync killed at random moments', () => {
  it('ends with exactly the right entries and a cache that verifies', async () => {
    const cache = join(dir, 'c.db');
    const key = newKey();
    // A fixed sequence of pseudo-random moments, so a failure can be replayed.
    let seed = 20261122;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const outcomes: string[] = [];
    let size = 30_000;
    let partway = 0;
    for (let i = 0; i < 20; i++) {
      // The log keeps growing, so every restart has work to do when it is killed.
      // More than one commit's worth (16 segments, 4096 entries): the entry-point kills land after
      // the first commit of the run and before its last.
      await sealRange(store, log.key, size, 6000);
      size += 6000;
      const storedBefore = storedEntries(cache, key);
      // Half the moments are times (start-up included), half are points in the stream of entries.
      const at: KillAt =
        i % 2 === 0
          ? { ms: 100 + Math.floor(next() * 1500) }
          : { entries: storedBefore + 1 + Math.floor(next() * 4095) };
      const outcome = await syncKilledAt(cache, key, at);
      outcomes.push(outcome);
      const stored = storedEntries(cache, key);
      if (outcome === 'killed' && stored > storedBefore && stored < size) partway++;
    }
    // Kills landed in the middle of storing this run's entries, not only before or after.
    expect(partway, outcomes.join(' ')).toBeGreaterThanOrEqual(5);
    // Most restarts must really be killed part-way (the rest got through before their moment).
    expect(
      outcomes.filter((o) => o === 'killed').length,
      outcomes.join(' '),
    ).toBeGreaterThanOrEqual(12);
    expect(await syncKilledAt(cache, key, { ms: 120_000 })).toBe('finished');

    const c = openStore(cache, key, false);
    const l = c.logByOrigin('crash.example/log')!;
    expect(c.entryCount(l.id)).toBe(size);
    const distinct = c.db
      .prepare('SELECT count(DISTINCT idx) n, min(idx) lo, max(idx) hi FROM entries')
      .get();
    expect(distinct).toEqual({ n: size, lo: 0, hi: size - 1 });
    expect(c.latestAccepted(l.id)!.note).toBe(readCheckpoint(store));
    const report = verifyCache(c, await readTrust(log.pub));
    expect(report.problems).toEqual([]);
    expect(report.logs[0]).toMatchObject({ entries: size, verifiedSize: size, pendingEntries: 0 });
    c.close();
  });
});
