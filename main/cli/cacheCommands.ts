/** The cache commands: sync, verify --cache, proof --cache, cache new-key | rekey | info. */
import { basename } from 'node:path';
import { openCacheDb, rekeyCacheDb } from '../store/cache';
import { CacheStore, TRUST_META } from '../store/cacheStore';
import { Journal } from '../journal/journal';
import { existsSync } from 'node:fs';
import {
  envKeyProvider,
  fileKeyProvider,
  writeNewKeyFile,
  type KeyProvider,
} from '../store/keyProvider';
import { proveCachedEntry, verifyCache } from '../store/verifyCache';
import { SyncAlarm, syncSource, type SyncResult } from '../sync/engine';
import { parsePolicy } from '../../shared/tlog/policy';
import { nodeCrypto } from '../crypto/nodeCrypto';
import { readTrust } from '../tlog/keys';
import { openStorage } from '../tlog/storage';
import { nonNegativeInteger, parseCommandArgs, required } from './args';
import { EXIT_OK, EXIT_VERIFY_FAILED, UsageError } from './errors';
import type { Output } from './output';

/** Options of the commands that read one entry (or all) from a cache. */
const CACHE_ENTRY_OPTIONS = {
  cache: { type: 'string' },
  entry: { type: 'string' },
  origin: { type: 'string' },
  trust: { type: 'string' },
  'key-file': { type: 'string' },
} as const;

function keyProvider(keyFile: string | undefined): KeyProvider {
  return keyFile ? fileKeyProvider(keyFile) : envKeyProvider();
}

/** The cache key from --key-file or CUSTOS_CACHE_KEY. */
export function cacheKey(keyFile: string | undefined): Promise<Buffer> {
  return keyProvider(keyFile).getKey();
}

export async function openStore(
  path: string,
  keyFile: string | undefined,
  create = false,
): Promise<CacheStore> {
  return new CacheStore(openCacheDb(path, await cacheKey(keyFile), { create }));
}

export async function policyFor(store: CacheStore, trustPath: string | undefined) {
  if (trustPath) return readTrust(trustPath);
  const text = store.getMeta(TRUST_META);
  if (!text) return null;
  return parsePolicy(nodeCrypto, text, 'the trust policy stored in the cache');
}

export async function syncCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    cache: { type: 'string' },
    from: { type: 'string', multiple: true },
    trust: { type: 'string' },
    'key-file': { type: 'string' },
    json: { type: 'boolean' },
  });
  const cachePath = required(values.cache, '--cache');
  const trustPath = required(values.trust, '--trust');
  const policy = await readTrust(trustPath);
  const store = await openStore(cachePath, values['key-file'], true);
  try {
    const { readFile } = await import('node:fs/promises');
    store.setMeta(TRUST_META, await readFile(trustPath, 'utf8'));
    const locations = values.from?.length
      ? values.from
      : store.listSources().map((s) => s.location);
    if (locations.length === 0)
      throw new UsageError('give --from <dir|url|s3://...> (the cache has no sources yet)');
    const results: SyncResult[] = [];
    const failures: string[] = [];
    for (const location of locations) {
      const source = await openStorage(location);
      const progress = out.progress(`sync ${basename(location) || location}`);
      try {
        const r = await syncSource(store, source, policy, {
          onProgress: (p) => progress.update(p.entriesDone, p.entriesTotal),
        });
        progress.done();
        results.push(r);
        if (!values.json) {
          out.line(
            r.upToDate
              ? `${r.origin} from ${r.source}: up to date at ${r.size} entries, root ${r.root}`
              : `${r.origin} from ${r.source}: ${r.added} new entries verified and stored; ${r.size} entries, root ${r.root}`,
          );
        }
      } catch (e) {
        progress.done();
        const kind = e instanceof SyncAlarm ? `ALARM ${e.kind}` : 'FAILED';
        failures.push(`${location}: ${kind}: ${(e as Error).message}`);
        if (!values.json) out.line(`${location}: ${kind}: ${(e as Error).message}`);
      }
    }
    if (values.json) out.json({ ok: failures.length === 0, results, failures });
    for (const f of failures) out.error(`custos sync: ${f}`);
    return failures.length === 0 ? EXIT_OK : EXIT_VERIFY_FAILED;
  } finally {
    store.close();
  }
}

/** The journal's verification, or null when this cache has never kept one. */
async function verifyJournalOf(store: CacheStore, cachePath: string) {
  const journal = Journal.open(store, cachePath);
  if (journal.checkpoint() === null && !existsSync(journal.anchorPath)) return null;
  return journal.verify();
}

export async function verifyCacheCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, { ...CACHE_ENTRY_OPTIONS, json: { type: 'boolean' } });
  const cachePath = required(values.cache, '--cache');
  const store = await openStore(cachePath, values['key-file']);
  try {
    const policy = await policyFor(store, values.trust);
    if (values.entry !== undefined) {
      const index = nonNegativeInteger(values.entry, '--entry', 0);
      const origin = values.origin ?? soleOrigin(store);
      const proof = proveCachedEntry(store, origin, index, policy);
      if (values.json)
        out.json({
          ok: true,
          origin,
          entry: index,
          size: proof.checkpoint.size,
          proof: proof.proofText,
        });
      else {
        out.line(
          `entry ${index} of ${origin}: verified at rest against checkpoint ${proof.checkpoint.size}`,
        );
        out.raw(proof.proofText);
      }
      return EXIT_OK;
    }
    const progress = out.progress('verifying');
    const report = verifyCache(store, policy, (_o, done, total) => progress.update(done, total));
    progress.done();
    // The officer's activity journal lives in the same cache: it is verified with it.
    const journal = await verifyJournalOf(store, cachePath);
    const ok = report.ok && (journal?.ok ?? true);
    if (values.json) out.json({ ...report, ok, journal });
    else {
      for (const l of report.logs) {
        out.line(
          `${l.origin}: ${l.entries} entries, ${l.checkpoints} checkpoints, verified size ${l.verifiedSize}, root ${l.root ?? '(none)'}${l.pendingEntries ? `, ${l.pendingEntries} pending (sync in progress)` : ''}`,
        );
      }
      if (!policy)
        out.line('note: no trust policy stored or given; checkpoint signatures were not checked');
      for (const p of report.problems)
        out.line(
          `PROBLEM ${p.origin}${p.entry !== undefined ? `, entry ${p.entry}` : ''}: ${p.message}`,
        );
      if (journal) {
        out.line(`activity journal ${journal.origin ?? ''}: ${journal.size} entries`);
        for (const w of journal.warnings) out.line(`note: journal: ${w}`);
        for (const p of journal.problems) out.line(`PROBLEM activity journal: ${p}`);
      }
      const count = report.problems.length + (journal?.problems.length ?? 0);
      out.line(ok ? 'result: OK, the cache verifies' : `result: FAILED, ${count} problem(s)`);
    }
    if (!report.ok) {
      const p = report.problems[0];
      out.error(
        `custos verify: ${p.origin}${p.entry !== undefined ? `, entry ${p.entry}` : ''}: ${p.message}`,
      );
    } else if (journal && !journal.ok)
      out.error(`custos verify: activity journal: ${journal.problems[0]}`);
    return ok ? EXIT_OK : EXIT_VERIFY_FAILED;
  } finally {
    store.close();
  }
}

export async function proofCacheCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, CACHE_ENTRY_OPTIONS);
  const store = await openStore(required(values.cache, '--cache'), values['key-file']);
  try {
    const index = nonNegativeInteger(required(values.entry, '--entry'), '--entry', 0);
    const policy = await policyFor(store, values.trust);
    out.raw(proveCachedEntry(store, values.origin ?? soleOrigin(store), index, policy).proofText);
    return EXIT_OK;
  } finally {
    store.close();
  }
}

export function soleOrigin(store: CacheStore): string {
  const logs = store.listLogs();
  if (logs.length === 1) return logs[0].origin;
  if (logs.length === 0) throw new UsageError('the cache holds no log yet; run custos sync first');
  throw new UsageError(
    `the cache holds several logs; choose one with --origin (${logs.map((l) => l.origin).join(', ')})`,
  );
}

export async function cacheCommand(argv: string[], out: Output): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'new-key') {
    const { values } = parseCommandArgs(rest, { out: { type: 'string' } });
    const path = required(values.out, '--out');
    await writeNewKeyFile(path);
    out.line(`wrote a new cache key to ${path} (mode 0600); use it with --key-file ${path}`);
    return EXIT_OK;
  }
  if (sub === 'rekey') {
    const { values } = parseCommandArgs(rest, {
      cache: { type: 'string' },
      'key-file': { type: 'string' },
      'new-key-file': { type: 'string' },
    });
    const store = await openStore(required(values.cache, '--cache'), values['key-file']);
    try {
      const newKey = await (
        values['new-key-file']
          ? fileKeyProvider(values['new-key-file'])
          : envKeyProvider('CUSTOS_NEW_CACHE_KEY')
      ).getKey();
      rekeyCacheDb(store.db, newKey);
      out.line(`the cache ${values.cache} now opens with the new key`);
      return EXIT_OK;
    } finally {
      store.close();
    }
  }
  if (sub === 'info') {
    const { values } = parseCommandArgs(rest, {
      cache: { type: 'string' },
      'key-file': { type: 'string' },
      json: { type: 'boolean' },
    });
    const store = await openStore(required(values.cache, '--cache'), values['key-file']);
    try {
      const logs = store.listLogs().map((l) => {
        const cp = store.latestAccepted(l.id);
        return {
          origin: l.origin,
          entries: store.entryCount(l.id),
          verifiedSize: cp?.size ?? 0,
          checkpoints: store.acceptedCheckpoints(l.id).length,
        };
      });
      const info = { logs, sources: store.listSources(), alarms: store.listAlarms() };
      if (values.json) out.json(info);
      else {
        for (const l of logs)
          out.line(
            `log ${l.origin}: ${l.entries} entries, verified size ${l.verifiedSize}, ${l.checkpoints} checkpoints`,
          );
        for (const s of info.sources)
          out.line(
            `source ${s.location}: ${s.lastStatus ?? 'never synced'}${s.lastError ? ` (${s.lastError})` : ''}`,
          );
        for (const a of info.alarms)
          out.line(
            `ALARM ${a.kind} ${new Date(a.createdAt).toISOString()} ${a.origin ?? ''}: ${a.message}`,
          );
        if (info.alarms.length === 0) out.line('no alarms');
      }
      return EXIT_OK;
    } finally {
      store.close();
    }
  }
  throw new UsageError(
    'usage: custos cache new-key --out <file> | rekey --cache <file> | info --cache <file>',
  );
}
