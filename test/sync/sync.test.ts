/** The sync engine over folder stores: incremental sync, alarms, and the cache left unchanged. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatCheckpointText, parseCheckpointText } from '../../shared/tlog/checkpoint';
import {
  addSignatures,
  computeKeyId,
  cosignatureNoteSigner,
  formatVerifierKey,
  parseNote,
  SIG_COSIGNATURE_V1,
  signNote,
} from '../../shared/tlog/note';
import { parsePolicy } from '../../shared/tlog/policy';
import { encodeEntryBundle, parseEntryBundle } from '../../shared/tlog/tiles';
import { readFileSync, writeFileSync } from 'node:fs';
import { ed25519SignerFromSeed, nodeCrypto } from '../../main/crypto/nodeCrypto';
import { readLogKey, readTrust } from '../../main/tlog/keys';
import { FolderStorage } from '../../main/tlog/storage';
import { SyncAlarm, SyncCancelled, syncSource, type SyncProgress } from '../../main/sync/engine';
import { verifyCache } from '../../main/store/verifyCache';
import type { CacheStore } from '../../main/store/cacheStore';
import { tempDir } from '../helpers/cli';
import {
  copyStore,
  newKey,
  newLogKey,
  openStore,
  readCheckpoint,
  sealRange,
  writeCheckpoint,
} from '../helpers/cache';

let dir: string;
let log: { key: string; pub: string };
let store: string;

beforeAll(async () => {
  dir = tempDir('custos-sync-');
  log = await newLogKey(dir, 'log');
  store = join(dir, 'store');
  await sealRange(store, log.key, 0, 1000);
});

function snapshot(cache: CacheStore) {
  return {
    logs: cache.listLogs().map((l) => ({
      origin: l.origin,
      entries: cache.entryCount(l.id),
      accepted: cache
        .acceptedCheckpoints(l.id)
        .map((c) => [c.size, Buffer.from(c.root).toString('base64')]),
    })),
  };
}

async function expectAlarm(
  cache: CacheStore,
  source: string,
  policyPath: string,
  kind: string,
  message: RegExp,
) {
  const before = snapshot(cache);
  const err = await syncSource(cache, new FolderStorage(source), await readTrust(policyPath)).catch(
    (e) => e,
  );
  expect(err, String(err)).toBeInstanceOf(SyncAlarm);
  expect(err.kind).toBe(kind);
  expect(err.message).toMatch(message);
  const alarms = cache.listAlarms();
  const recorded = alarms[alarms.length - 1];
  expect(recorded.kind).toBe(kind);
  expect(recorded.evidence.source).toBe(new FolderStorage(source).location);
  expect(snapshot(cache)).toEqual(before);
  expect(verifyCache(cache, await readTrust(policyPath)).ok).toBe(true);
  return recorded;
}

describe('sync from a folder', () => {
  it('stores every entry verified, then only what is new, with progress', async () => {
    const cache = openStore(join(dir, 'a.db'), newKey());
    const policy = await readTrust(log.pub);
    const progress: SyncProgress[] = [];
    const r1 = await syncSource(cache, new FolderStorage(store), policy, {
      onProgress: (p) => progress.push(p),
      segmentsPerCommit: 1,
    });
    expect(r1).toMatchObject({
      origin: 'sync.example/log',
      previousSize: 0,
      size: 1000,
      added: 1000,
      upToDate: false,
    });
    expect(progress.map((p) => p.segmentsDone)).toEqual([1, 2, 3, 4]);
    expect(progress[3]).toMatchObject({ entriesDone: 1000, entriesTotal: 1000, segmentsTotal: 4 });
    expect(progress[3].bytes).toBeGreaterThan(100_000);

    const grown = copyStore(store, join(dir, 'grown'));
    await sealRange(grown, log.key, 1000, 70_000);
    const r2 = await syncSource(cache, new FolderStorage(grown), policy);
    expect(r2).toMatchObject({ previousSize: 1000, size: 71_000, added: 70_000 });
    const again = await syncSource(cache, new FolderStorage(grown), policy);
    expect(again).toMatchObject({ upToDate: true, added: 0 });

    const report = verifyCache(cache, policy);
    expect(report.problems).toEqual([]);
    expect(report.logs[0]).toMatchObject({
      entries: 71_000,
      verifiedSize: 71_000,
      checkpoints: 2,
      pendingEntries: 0,
    });
    const l = cache.logByOrigin('sync.example/log')!;
    const fields = cache.db
      .prepare(
        'SELECT kind, time, action, actor, category, outcome FROM entries WHERE log_id = ? AND idx = 17',
      )
      .get(l.id);
    expect(fields).toEqual({
      kind: 'custos.audit/v1',
      time: Date.UTC(2026, 6, 1) + 17 * 60_000,
      action: 'user.login',
      actor: 'u-17',
      category: 'access',
      outcome: 'failure',
    });
    cache.close();
  });

  it('raises a rollback alarm for an older checkpoint and keeps the cache as it was', async () => {
    const cache = openStore(join(dir, 'rollback.db'), newKey());
    const grown = copyStore(store, join(dir, 'rb-grown'));
    await sealRange(grown, log.key, 1000, 500);
    await syncSource(cache, new FolderStorage(grown), await readTrust(log.pub));
    const a = await expectAlarm(
      cache,
      store,
      log.pub,
      'rollback',
      /serves a checkpoint of 1000 entries, older than the 1500/,
    );
    expect((a.evidence.trusted as { size: number }).size).toBe(1500);
    expect((a.evidence.offered as { size: number }).size).toBe(1000);
    cache.close();
  });

  it('raises a fork alarm for another tree of the same size, and for an inconsistent larger one', async () => {
    const cache = openStore(join(dir, 'fork.db'), newKey());
    await syncSource(cache, new FolderStorage(store), await readTrust(log.pub));
    const other = join(dir, 'other-history');
    await sealRange(other, log.key, 50_000, 1000);
    const a = await expectAlarm(
      cache,
      other,
      log.pub,
      'fork',
      /another tree of the same size 1000/,
    );
    expect(a.evidence.trusted).toBeDefined();
    expect(a.evidence.offered).toBeDefined();
    await sealRange(other, log.key, 60_000, 300);
    await expectAlarm(
      cache,
      other,
      log.pub,
      'fork',
      /not consistent with the 1000 this cache verified/,
    );
    cache.close();
  });

  it('raises an alarm for a checkpoint with a bad signature or an unknown key', async () => {
    const cache = openStore(join(dir, 'sig.db'), newKey());
    const bad = copyStore(store, join(dir, 'badsig'));
    const note = readCheckpoint(bad);
    const lines = note.split('\n');
    lines[1] = '999';
    writeCheckpoint(bad, lines.join('\n'));
    await expectAlarm(cache, bad, log.pub, 'bad-signature', /does not verify/);
    const impostor = await newLogKey(dir, 'impostor');
    const stranger = join(dir, 'stranger');
    await sealRange(stranger, impostor.key, 0, 10);
    await expectAlarm(cache, stranger, log.pub, 'unknown-key', /no signature by a trusted key/);
    cache.close();
  });

  it('raises an alarm when an entry does not match the tree, and stores nothing of it', async () => {
    const cache = openStore(join(dir, 'entry.db'), newKey());
    const t = copyStore(store, join(dir, 'tampered'));
    const file = join(t, 'tile/entries/002');
    const entries = parseEntryBundle(new Uint8Array(readFileSync(file))).map((e) => e.slice());
    entries[7][30] ^= 1;
    writeFileSync(file, encodeEntryBundle(entries));
    const err = await syncSource(cache, new FolderStorage(t), await readTrust(log.pub), {
      segmentsPerCommit: 1,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(SyncAlarm);
    expect(err.kind).toBe('entry-mismatch');
    expect(err.message).toMatch(
      /tile\/entries\/002: the entries do not hash to the segment \(entry 519\); it does not match the log's tree/,
    );
    expect(cache.listAlarms()[0].evidence.entry).toBe(519);
    const l = cache.logByOrigin('sync.example/log')!;
    // Segments 0 and 1 were verified and kept; nothing of segment 2; the checkpoint is not accepted.
    expect(cache.entryCount(l.id)).toBe(512);
    expect(cache.latestAccepted(l.id)).toBeNull();
    expect(verifyCache(cache, await readTrust(log.pub)).ok).toBe(true);
    // The genuine store then completes the sync.
    const r = await syncSource(cache, new FolderStorage(store), await readTrust(log.pub));
    expect(r).toMatchObject({ size: 1000, added: 488 });
    cache.close();
  });

  it('raises an alarm when the hash tiles do not match the checkpoint', async () => {
    const cache = openStore(join(dir, 'tile.db'), newKey());
    const t = copyStore(store, join(dir, 'badtile'));
    const file = join(t, 'tile/1/000.p/3');
    const data = readFileSync(file);
    data[5] ^= 1;
    writeFileSync(file, data);
    await expectAlarm(
      cache,
      t,
      log.pub,
      'tile-mismatch',
      /hash tiles do not match the checkpoint's root/,
    );
    cache.close();
  });

  it('follows key rotation in the trust policy', async () => {
    const cache = openStore(join(dir, 'rotate.db'), newKey());
    const next = await newLogKey(dir, 'next');
    const both = join(dir, 'both.policy');
    writeFileSync(
      both,
      `log ${readFileSync(log.pub, 'utf8').trim()}\nlog ${readFileSync(next.pub, 'utf8').trim()}\nquorum none\n`,
    );
    const onlyNext = join(dir, 'next.policy');
    writeFileSync(onlyNext, `log ${readFileSync(next.pub, 'utf8').trim()}\nquorum none\n`);
    await syncSource(cache, new FolderStorage(store), await readTrust(both));
    // The log rotates: its next checkpoint is signed by the new key.
    const rotated = copyStore(store, join(dir, 'rotated'));
    await sealRange(rotated, log.key, 1000, 100);
    const text = parseNote(readCheckpoint(rotated)).text;
    const nextKey = await readLogKey(next.key);
    writeCheckpoint(rotated, signNote(text, [nextKey.signer]));
    expect(
      await syncSource(cache, new FolderStorage(rotated), await readTrust(both)),
    ).toMatchObject({ size: 1100 });
    // Once the old key is removed from the policy, a checkpoint signed by it is refused.
    await expectAlarm(cache, store, onlyNext, 'unknown-key', /no signature by a trusted key/);
    cache.close();
  });

  it('enforces the witness quorum of the policy', async () => {
    const cache = openStore(join(dir, 'quorum.db'), newKey());
    const w = ed25519SignerFromSeed(new Uint8Array(32).fill(7));
    const wVkey = formatVerifierKey({
      name: 'witness.example/w',
      keyId: computeKeyId(nodeCrypto, 'witness.example/w', SIG_COSIGNATURE_V1, w.publicKey),
      type: SIG_COSIGNATURE_V1,
      publicKey: w.publicKey,
    });
    const policyPath = join(dir, 'witnessed.policy');
    writeFileSync(
      policyPath,
      `log ${readFileSync(log.pub, 'utf8').trim()}\nwitness W ${wVkey}\nquorum W\n`,
    );
    expect(parsePolicy(nodeCrypto, readFileSync(policyPath, 'utf8')).quorum).toBe('W');
    await expectAlarm(
      cache,
      store,
      policyPath,
      'quorum',
      /lacks the witness quorum W \(cosigned by: none\)/,
    );
    const cosigned = copyStore(store, join(dir, 'cosigned'));
    writeCheckpoint(
      cosigned,
      addSignatures(readCheckpoint(cosigned), [
        cosignatureNoteSigner(nodeCrypto, 'witness.example/w', w, () => 1790000000),
      ]),
    );
    const r = await syncSource(cache, new FolderStorage(cosigned), await readTrust(policyPath));
    expect(r.size).toBe(1000);
    const cp = cache.latestAccepted(cache.logByOrigin('sync.example/log')!.id)!;
    expect(cp.witnesses).toEqual([{ name: 'W', timestamp: 1790000000 }]);
    cache.close();
  });

  it('raises an equivocation alarm when two sources of one origin disagree', async () => {
    const cache = openStore(join(dir, 'equiv.db'), newKey());
    const mirrorA = copyStore(store, join(dir, 'mirrorA'));
    const mirrorB = copyStore(store, join(dir, 'mirrorB'));
    await sealRange(mirrorA, log.key, 1000, 20);
    await sealRange(mirrorB, log.key, 9000, 20);
    await syncSource(cache, new FolderStorage(mirrorA), await readTrust(log.pub));
    const a = await expectAlarm(
      cache,
      mirrorB,
      log.pub,
      'fork',
      /another tree of the same size 1020/,
    );
    expect(
      parseCheckpointText(parseNote((a.evidence.offered as { note: string }).note).text).size,
    ).toBe(1020);
    expect(cache.listSources().map((s) => s.lastStatus)).toEqual(['ok', 'alarm']);
    cache.close();
  });

  it('keeps several logs in one workspace', async () => {
    const cache = openStore(join(dir, 'two.db'), newKey());
    const second = await newLogKey(dir, 'second', 'second.example/log');
    const other = join(dir, 'second-store');
    await sealRange(other, second.key, 0, 300);
    const both = join(dir, 'two.policy');
    writeFileSync(
      both,
      `log ${readFileSync(log.pub, 'utf8').trim()}\nlog ${readFileSync(second.pub, 'utf8').trim()}\nquorum none\n`,
    );
    await syncSource(cache, new FolderStorage(store), await readTrust(both));
    await syncSource(cache, new FolderStorage(other), await readTrust(both));
    const report = verifyCache(cache, await readTrust(both));
    expect(report.ok).toBe(true);
    expect(report.logs.map((l) => [l.origin, l.entries])).toEqual([
      ['second.example/log', 300],
      ['sync.example/log', 1000],
    ]);
    cache.close();
  });

  it('can be cancelled between commits, and the next sync continues', async () => {
    const cache = openStore(join(dir, 'cancel.db'), newKey());
    const controller = new AbortController();
    const err = await syncSource(cache, new FolderStorage(store), await readTrust(log.pub), {
      segmentsPerCommit: 1,
      onProgress: (p) => p.segmentsDone === 2 && controller.abort(),
      signal: controller.signal,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(SyncCancelled);
    const l = cache.logByOrigin('sync.example/log')!;
    expect(cache.entryCount(l.id)).toBe(512);
    expect(
      await syncSource(cache, new FolderStorage(store), await readTrust(log.pub)),
    ).toMatchObject({ added: 488, size: 1000 });
    expect(verifyCache(cache, await readTrust(log.pub)).ok).toBe(true);
    cache.close();
  });

  it('leaves no file beside the cache but the cache and its WAL', async () => {
    const sub = tempDir('custos-files-');
    const cache = openStore(join(sub, 'c.db'), newKey());
    await syncSource(cache, new FolderStorage(store), await readTrust(log.pub));
    expect(readdirSync(sub).sort()).toEqual(['c.db', 'c.db-shm', 'c.db-wal']);
    cache.close();
    expect(formatCheckpointText).toBeDefined();
  });
});
