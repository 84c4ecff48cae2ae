/**
 * The services behind each channel of the IPC contract, over one open workspace (an encrypted
 * cache). The same handlers serve Electron's IPC and web mode; dispatch.ts validates around them.
 */
import { fromUtf8Lossy, toBase64, toHex } from '../../shared/bytes';
import { parsePolicy, type TrustPolicy } from '../../shared/tlog/policy';
import type {
  ChannelName,
  EventName,
  EventPayload,
  Input,
  Output,
} from '../../shared/ipc/contract';
import { nodeCrypto } from '../crypto/nodeCrypto';
import { TRUST_META, type CacheStore } from '../store/cacheStore';
import { proveCachedEntry } from '../store/verifyCache';
import { VerifyCancelled, verifyCacheInWorker } from '../store/verifyInWorker';
import { SearchService } from '../search/service';
import { exportResults, exportToFile, type ExportOptions } from '../search/export';
import { SyncAlarm, SyncCancelled, syncSource } from '../sync/engine';
import { readCheckpointFrom } from '../sync/checkSource';
import { investigationHandlers } from './investigationHandlers';
import type { Journal } from '../journal/journal';
import type { JsonValue } from '../../shared/entry/json';
import { openStorage } from '../tlog/storage';

export { TRUST_META };

export interface Workspace {
  /** Where the cache is, as shown to the user. */
  cachePath: string;
  store: CacheStore;
  /** The cache key, for work done in a worker on its own connection (verification). */
  key: Uint8Array;
  /** Sends an event to the console (progress, alarms). */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** Who is working: the author of notes and custody records, the actor of the journal. */
  officer?: string;
  /** The officer's activity journal (every action appended, signed); none in some tests. */
  journal?: Journal | null;
  /** This Custos's version, as reports state it. */
  custosVersion?: string;
  /** Where case bundles are written when there is no save dialog (web mode). */
  exportsDir?: string;
  /** Desktop: asks where to save a file (null when the user cancels). */
  chooseSavePath?: (suggestedName: string) => Promise<string | null>;
  /** Web mode: offers a one-time download; returns its address. */
  offerDownload?: (
    name: string,
    type: string,
    produce: (write: (chunk: string | Uint8Array) => Promise<void>) => Promise<number>,
  ) => string;
}

export type Handlers = {
  [C in ChannelName]: (input: Input<C>) => Output<C> | Promise<Output<C>>;
};

/** A failure the user can act on (shown as it is), as opposed to a bug. */
export class HandlerError extends Error {
  override name = 'HandlerError';
  constructor(
    message: string,
    readonly kind: 'not-found' | 'failed' = 'failed',
  ) {
    super(message);
  }
}

export function createHandlers(ws: Workspace): Handlers {
  const { store } = ws;
  const record = async (action: string, details: Record<string, JsonValue>) => {
    await ws.journal?.append(action, details);
  };
  const search = new SearchService(store.db);
  const policy = (): TrustPolicy | null => {
    const text = store.getMeta(TRUST_META);
    return text ? parsePolicy(nodeCrypto, text, 'the trust policy stored in the cache') : null;
  };
  let syncing: AbortController | null = null;
  let verifying: AbortController | null = null;
  const sourceList = () =>
    store.listSources().map((s) => ({
      id: s.id,
      location: s.location,
      origin: origin(s.logId),
      lastSyncAt: s.lastSyncAt,
      lastStatus: s.lastStatus,
      lastError: s.lastError,
    }));
  const origin = (logId: number | null) =>
    logId === null ? null : (store.listLogs().find((l) => l.id === logId)?.origin ?? null);

  return {
    'app.overview': () => {
      const logs = store.listLogs().map((l) => {
        const cp = store.latestAccepted(l.id);
        return {
          origin: l.origin,
          entries: store.entryCount(l.id),
          verifiedSize: cp?.size ?? 0,
          checkpointTime: cp?.acceptedAt ?? null,
          rootHash: cp ? toBase64(cp.root) : null,
        };
      });
      const sources = sourceList();
      const openAlarms = store.listAlarms().filter((a) => a.acknowledgedAt === null).length;
      const activity = search.histogram('', { target: 120 }).buckets;
      return { cache: ws.cachePath, logs, sources, openAlarms, activity };
    },
    'search.page': (input) => search.page(input),
    'search.count': ({ query }) => search.count(query),
    'search.facets': ({ query, fields, limit }) => search.facets(query, fields, limit),
    'search.histogram': ({ query, ...opts }) => search.histogram(query, opts),
    'search.entry': async ({ id }) => {
      const e = search.entry(id);
      if (!e) throw new HandlerError(`no entry ${id} in this cache`, 'not-found');
      await record('event.open', { log: e.row.log, index: e.row.index });
      let proof: Output<'search.entry'>['proof'];
      try {
        // Made from the cached tiles and checked against the signed checkpoint, now.
        const p = proveCachedEntry(store, e.row.log, e.row.index, policy());
        proof = {
          verified: true,
          text: p.proofText,
          checkpointSize: p.checkpoint.size,
          rootHash: toBase64(p.checkpoint.root),
          problem: null,
        };
      } catch (err) {
        proof = {
          verified: false,
          text: null,
          checkpointSize: null,
          rootHash: null,
          problem: (err as Error).message,
        };
      }
      return { row: e.row, entry: fromUtf8Lossy(e.data), leafHash: toHex(e.leafHash), proof };
    },
    'search.saved.list': () => search.savedSearches(),
    'search.saved.save': ({ name, query, sort }) => search.saveSearch(name, query, sort),
    'search.saved.delete': ({ name }) => search.deleteSavedSearch(name),
    'search.history': ({ limit }) => search.history(limit),
    'search.remember': async ({ query, total }) => {
      search.remember(query, total);
      await record('search.run', { query, total });
      return null;
    },
    'search.export': async ({ query, format, proofs, sort, order }) => {
      search.compile(query);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      const name = `custos-export-${stamp}.${format === 'csv' ? 'csv' : 'jsonl'}`;
      const trust = proofs ? policy() : null;
      const opts: ExportOptions = {
        query,
        format,
        sort,
        order,
        prove: proofs
          ? (log, index) => proveCachedEntry(store, log, index, trust).proofText
          : undefined,
      };
      await record('export.create', { query, format, proofs: proofs ?? false });
      if (ws.offerDownload) {
        const type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson';
        const url = ws.offerDownload(name, type, (write) => exportResults(search, opts, write));
        return { kind: 'download' as const, url };
      }
      if (ws.chooseSavePath) {
        const path = await ws.chooseSavePath(name);
        if (!path) throw new HandlerError('the export was cancelled');
        return { kind: 'file' as const, path, rows: await exportToFile(search, opts, path) };
      }
      throw new HandlerError('exporting is not available here');
    },
    'alarms.list': () => {
      const sources = store.listSources(true);
      return store.listAlarms().map((a) => ({
        id: a.id,
        origin: a.origin,
        source: sources.find((s) => s.id === a.sourceId)?.location ?? null,
        kind: a.kind,
        message: a.message,
        evidence: JSON.stringify(a.evidence, null, 2),
        createdAt: a.createdAt,
        acknowledgedAt: a.acknowledgedAt,
      }));
    },
    'alarms.acknowledge': ({ id }) => store.acknowledgeAlarm(id),
    'sync.run': async ({ locations }) => {
      const trust = policy();
      if (!trust)
        throw new HandlerError(
          'this cache has no trust policy yet: sync it once with custos sync --trust <file>',
        );
      const targets = locations?.length ? locations : store.listSources().map((s) => s.location);
      if (targets.length === 0) throw new HandlerError('this cache has no sources yet');
      if (syncing) throw new HandlerError('a sync is already running');
      const results: Output<'sync.run'>['results'] = [];
      const abort = (syncing = new AbortController());
      try {
        for (const location of targets) {
          if (abort.signal.aborted) break;
          try {
            const r = await syncSource(store, await openStorage(location), trust, {
              signal: abort.signal,
              onProgress: (p) =>
                ws.emit('sync.progress', { location, done: p.entriesDone, total: p.entriesTotal }),
            });
            results.push({
              location,
              ok: true,
              origin: r.origin,
              newEntries: r.added,
              size: r.size,
              message: r.upToDate ? 'up to date' : `${r.added} new entries verified and stored`,
            });
          } catch (e) {
            const alarm = e instanceof SyncAlarm;
            if (alarm) ws.emit('alarm.raised', { message: (e as Error).message });
            const kind = alarm ? 'alarm' : e instanceof SyncCancelled ? 'cancelled' : 'failed';
            results.push({
              location,
              ok: false,
              origin: null,
              newEntries: 0,
              size: 0,
              message:
                kind === 'cancelled'
                  ? 'cancelled: what was verified before stays stored; the next sync resumes'
                  : `${kind}: ${(e as Error).message}`,
            });
          }
        }
      } finally {
        syncing = null;
      }
      return { results };
    },
    'sync.history': ({ limit }) => store.syncHistory(limit ?? 50),
    'sync.cancel': () => {
      if (!syncing) return false;
      syncing.abort();
      return true;
    },
    'sources.add': async ({ location }) => {
      await openStorage(location.trim()).catch((e: Error) => {
        throw new HandlerError(`${location}: ${e.message}`);
      });
      store.ensureSource(location.trim());
      return sourceList();
    },
    'sources.edit': async ({ id, location }) => {
      const where = location.trim();
      const current = store.listSources().find((s) => s.id === id);
      if (!current) throw new HandlerError(`no source ${id} on the list`, 'not-found');
      await openStorage(where).catch((e: Error) => {
        throw new HandlerError(`${where}: ${e.message}`);
      });
      // A source that has brought a log must keep serving that log: a different origin at the
      // new location is a different source, to be added as such.
      const known =
        current.logId === null ? null : store.listLogs().find((l) => l.id === current.logId);
      const trust = policy();
      if (known && trust) {
        const seen = await readCheckpointFrom(where, trust);
        if (!seen.ok) throw new HandlerError(`${where}: ${seen.message}`);
        if (seen.origin !== known.origin)
          throw new HandlerError(
            `${where} serves ${seen.origin ?? 'no log'}, not ${known.origin}: add it as a new source instead`,
          );
      }
      try {
        store.relocateSource(id, where);
      } catch (e) {
        throw new HandlerError((e as Error).message);
      }
      return sourceList();
    },
    'sources.remove': ({ id }) => {
      if (!store.removeSource(id))
        throw new HandlerError(`no source ${id} on the list`, 'not-found');
      return sourceList();
    },
    'sources.test': async ({ location }) => {
      const trust = policy();
      if (!trust) throw new HandlerError('this cache has no trust policy yet');
      return readCheckpointFrom(location.trim(), trust);
    },
    'trust.set': ({ text }) => {
      // Checked before it is kept: a policy that does not parse would stop every sync.
      let parsed: TrustPolicy;
      try {
        parsed = parsePolicy(nodeCrypto, text, 'the trust policy');
      } catch (e) {
        throw new HandlerError((e as Error).message);
      }
      store.setMeta(TRUST_META, text);
      return {
        logs: parsed.logs.map((l) => l.verifier.name),
        witnesses: parsed.witnesses.map((w) => w.name),
      };
    },
    'trust.get': () => {
      const text = store.getMeta(TRUST_META);
      const p = policy();
      return {
        text,
        logs: p?.logs.map((l) => l.verifier.name) ?? [],
        witnesses: p?.witnesses.map((w) => w.name) ?? [],
        quorum: p ? p.quorum : null,
      };
    },
    'verify.run': async () => {
      if (verifying) throw new HandlerError('a verification is already running');
      const abort = (verifying = new AbortController());
      let report;
      try {
        // In a worker: a million entries take seconds, and the console keeps being answered.
        report = await verifyCacheInWorker(
          ws.cachePath,
          ws.key,
          store.getMeta(TRUST_META),
          (o, done, total) => ws.emit('verify.progress', { origin: o, done, total }),
          abort.signal,
        );
      } catch (e) {
        if (e instanceof VerifyCancelled) throw new HandlerError('the verification was cancelled');
        throw e;
      } finally {
        verifying = null;
      }
      return {
        ok: report.ok,
        logs: report.logs.map((l) => ({
          origin: l.origin,
          entries: l.entries,
          checkpoints: l.checkpoints,
          ok: !report.problems.some((p) => p.origin === l.origin),
        })),
        problems: report.problems.map((p) => ({
          origin: p.origin,
          entry: p.entry ?? null,
          message: p.entry === undefined ? p.message : `entry ${p.entry}: ${p.message}`,
        })),
      };
    },
    'verify.cancel': () => {
      if (!verifying) return false;
      verifying.abort();
      return true;
    },
    'verify.checkpoints': () =>
      (
        store.db
          .prepare(
            `SELECT l.origin, c.size, c.root, c.accepted_at, c.witnesses FROM checkpoints c
             JOIN logs l ON l.id = c.log_id WHERE c.accepted_at IS NOT NULL
             ORDER BY c.accepted_at DESC, c.size DESC LIMIT 500`,
          )
          .all() as Array<{
          origin: string;
          size: number;
          root: Uint8Array;
          accepted_at: number;
          witnesses: string;
        }>
      ).map((c) => ({
        origin: c.origin,
        size: c.size,
        rootHash: toBase64(c.root),
        acceptedAt: c.accepted_at,
        witnesses: (JSON.parse(c.witnesses) as unknown[]).length,
      })),
    ...investigationHandlers(ws, search, policy, ws.journal ?? null, () =>
      store.getMeta(TRUST_META),
    ),
  };
}
