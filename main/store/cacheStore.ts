/** Typed access to the cache's tables. Synchronous: callers are services or workers. */
import { fromBase64, toBase64 } from '../../shared/bytes';
import type { NormalizedFields } from '../../shared/entry/normalize';
import type { Db } from './cache';
import { TIME_BUCKET_MS } from './migrations/0002-search';

export interface LogRow {
  id: number;
  origin: string;
  createdAt: number;
}

export interface CheckpointRow {
  id: number;
  logId: number;
  size: number;
  root: Uint8Array;
  note: string;
  sourceId: number | null;
  seenAt: number;
  acceptedAt: number | null;
  witnesses: Array<{ name: string; timestamp: number }>;
}

export interface SyncState {
  targetCheckpointId: number | null;
  nextIndex: number;
  /** Compact range of the stored prefix [0, nextIndex). */
  range: Uint8Array[];
}

export interface EntryRow {
  idx: number;
  leafHash: Uint8Array;
  data: Uint8Array;
  fields: NormalizedFields;
  /** What full-text search looks in (fullText of the entry). */
  text: string;
}

export interface TileRow {
  level: number;
  idx: number;
  data: Uint8Array;
}

export type AlarmKind =
  | 'rollback'
  | 'fork'
  | 'bad-signature'
  | 'unknown-key'
  | 'quorum'
  | 'malformed'
  | 'untrusted-origin'
  | 'tile-mismatch'
  | 'entry-mismatch';

export interface AlarmRow {
  id: number;
  logId: number | null;
  origin: string | null;
  sourceId: number | null;
  kind: AlarmKind;
  message: string;
  evidence: Record<string, unknown>;
  createdAt: number;
  acknowledgedAt: number | null;
}

const u8 = (b: Buffer | Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

interface RawCheckpoint {
  id: number;
  log_id: number;
  size: number;
  root: Buffer;
  note: string;
  source_id: number | null;
  seen_at: number;
  accepted_at: number | null;
  witnesses: string;
}

const checkpointRow = (r: RawCheckpoint): CheckpointRow => ({
  id: r.id,
  logId: r.log_id,
  size: r.size,
  root: u8(r.root),
  note: r.note,
  sourceId: r.source_id,
  seenAt: r.seen_at,
  acceptedAt: r.accepted_at,
  witnesses: JSON.parse(r.witnesses),
});

/** The meta key under which a workspace keeps its trust policy (c2sp.org/tlog-policy text). */
export const TRUST_META = 'trust_policy';

export class CacheStore {
  private readonly insertEntry;
  private readonly insertText;
  private readonly insertData;
  private readonly addToBucket;

  constructor(readonly db: Db) {
    this.insertEntry = db.prepare(`
      INSERT INTO entries (log_id, idx, leaf_hash, kind, time, source, category, action, outcome,
        actor, actor_type, actor_role, ip, target, target_type, subject, severity)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertData = db.prepare('INSERT INTO entry_data (id, data) VALUES (?, ?)');
    this.addToBucket = db.prepare(
      'INSERT INTO time_buckets (start, n) VALUES (?, ?) ON CONFLICT(start) DO UPDATE SET n = n + excluded.n',
    );
    this.insertText = db.prepare('INSERT INTO entries_fts (rowid, text) VALUES (?, ?)');
  }

  close() {
    this.db.close();
  }

  getMeta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string) {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  ensureLog(origin: string, now = Date.now()): LogRow {
    this.db
      .prepare('INSERT INTO logs (origin, created_at) VALUES (?, ?) ON CONFLICT(origin) DO NOTHING')
      .run(origin, now);
    return this.logByOrigin(origin)!;
  }

  logByOrigin(origin: string): LogRow | null {
    const r = this.db
      .prepare('SELECT id, origin, created_at FROM logs WHERE origin = ?')
      .get(origin) as { id: number; origin: string; created_at: number } | undefined;
    return r ? { id: r.id, origin: r.origin, createdAt: r.created_at } : null;
  }

  listLogs(): LogRow[] {
    return (
      this.db.prepare('SELECT id, origin, created_at FROM logs ORDER BY origin').all() as Array<{
        id: number;
        origin: string;
        created_at: number;
      }>
    ).map((r) => ({ id: r.id, origin: r.origin, createdAt: r.created_at }));
  }

  ensureSource(location: string, now = Date.now()): number {
    this.db
      .prepare(
        // Adding a removed source again brings it back, with its history.
        'INSERT INTO sources (location, created_at) VALUES (?, ?) ON CONFLICT(location) DO UPDATE SET removed_at = NULL',
      )
      .run(location, now);
    return (
      this.db.prepare('SELECT id FROM sources WHERE location = ?').get(location) as { id: number }
    ).id;
  }

  /** The sources synced by default; with `includeRemoved`, also those taken off the list. */
  listSources(includeRemoved = false): Array<{
    id: number;
    location: string;
    logId: number | null;
    lastSyncAt: number | null;
    lastStatus: string | null;
    lastError: string | null;
  }> {
    return (
      this.db
        .prepare(
          `SELECT * FROM sources ${includeRemoved ? '' : 'WHERE removed_at IS NULL'} ORDER BY id`,
        )
        .all() as Array<Record<string, unknown>>
    ).map((r) => ({
      id: r.id as number,
      location: r.location as string,
      logId: r.log_id as number | null,
      lastSyncAt: r.last_sync_at as number | null,
      lastStatus: r.last_status as string | null,
      lastError: r.last_error as string | null,
    }));
  }

  updateSource(
    id: number,
    fields: { logId?: number; status: string; error?: string | null },
    now = Date.now(),
  ) {
    this.db
      .prepare(
        'UPDATE sources SET log_id = COALESCE(?, log_id), last_sync_at = ?, last_status = ?, last_error = ? WHERE id = ?',
      )
      .run(fields.logId ?? null, now, fields.status, fields.error ?? null, id);
    if (fields.status !== 'syncing')
      this.db
        .prepare('INSERT INTO sync_history (source_id, at, status, message) VALUES (?, ?, ?, ?)')
        .run(id, now, fields.status, fields.error ?? null);
  }

  /**
   * Points a source at a new location (the store moved). Its log, history and alarms stay with
   * it; the next sync checks the new location's checkpoint against everything already accepted.
   */
  relocateSource(id: number, location: string): boolean {
    const clash = this.db
      .prepare('SELECT id FROM sources WHERE location = ? AND id <> ?')
      .get(location, id) as { id: number } | undefined;
    if (clash) throw new Error(`${location} is already source ${clash.id}`);
    return (
      this.db
        .prepare('UPDATE sources SET location = ? WHERE id = ? AND removed_at IS NULL')
        .run(location, id).changes > 0
    );
  }

  /**
   * Takes a source off the list of those synced. Nothing it brought is lost: its entries,
   * checkpoints, alarms and history stay; adding it again brings it back.
   */
  removeSource(id: number, now = Date.now()): boolean {
    return (
      this.db
        .prepare('UPDATE sources SET removed_at = ? WHERE id = ? AND removed_at IS NULL')
        .run(now, id).changes > 0
    );
  }

  /** The newest sync outcomes, newest first. */
  syncHistory(
    limit = 50,
  ): Array<{ location: string; at: number; status: string; message: string | null }> {
    return this.db
      .prepare(
        `SELECT s.location, h.at, h.status, h.message FROM sync_history h
         JOIN sources s ON s.id = h.source_id ORDER BY h.id DESC LIMIT ?`,
      )
      .all(limit) as Array<{
      location: string;
      at: number;
      status: string;
      message: string | null;
    }>;
  }

  /** Stores a verified checkpoint (once per log, size and root) and returns its row. */
  addCheckpoint(
    logId: number,
    cp: { size: number; root: Uint8Array; note: string },
    sourceId: number | null,
    witnesses: Array<{ name: string; timestamp: number }>,
    now = Date.now(),
  ): CheckpointRow {
    this.db
      .prepare(
        `INSERT INTO checkpoints (log_id, size, root, note, source_id, seen_at, witnesses) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(log_id, size, root) DO NOTHING`,
      )
      .run(logId, cp.size, Buffer.from(cp.root), cp.note, sourceId, now, JSON.stringify(witnesses));
    return checkpointRow(
      this.db
        .prepare('SELECT * FROM checkpoints WHERE log_id = ? AND size = ? AND root = ?')
        .get(logId, cp.size, Buffer.from(cp.root)) as RawCheckpoint,
    );
  }

  checkpoint(id: number): CheckpointRow | null {
    const r = this.db.prepare('SELECT * FROM checkpoints WHERE id = ?').get(id) as
      RawCheckpoint | undefined;
    return r ? checkpointRow(r) : null;
  }

  /** The largest checkpoint whose entries are all stored and verified. */
  latestAccepted(logId: number): CheckpointRow | null {
    const r = this.db
      .prepare(
        'SELECT * FROM checkpoints WHERE log_id = ? AND accepted_at IS NOT NULL ORDER BY size DESC LIMIT 1',
      )
      .get(logId) as RawCheckpoint | undefined;
    return r ? checkpointRow(r) : null;
  }

  acceptedCheckpoints(logId: number): CheckpointRow[] {
    return (
      this.db
        .prepare(
          'SELECT * FROM checkpoints WHERE log_id = ? AND accepted_at IS NOT NULL ORDER BY size, id',
        )
        .all(logId) as RawCheckpoint[]
    ).map(checkpointRow);
  }

  syncState(logId: number): SyncState | null {
    const r = this.db.prepare('SELECT * FROM sync_state WHERE log_id = ?').get(logId) as
      { target_checkpoint_id: number | null; next_index: number; range: string } | undefined;
    if (!r) return null;
    return {
      targetCheckpointId: r.target_checkpoint_id,
      nextIndex: r.next_index,
      range: (JSON.parse(r.range) as string[]).map(fromBase64),
    };
  }

  private writeSyncState(logId: number, s: SyncState) {
    this.db
      .prepare(
        `INSERT INTO sync_state (log_id, target_checkpoint_id, next_index, range) VALUES (?, ?, ?, ?)
         ON CONFLICT(log_id) DO UPDATE SET target_checkpoint_id = excluded.target_checkpoint_id,
           next_index = excluded.next_index, range = excluded.range`,
      )
      .run(logId, s.targetCheckpointId, s.nextIndex, JSON.stringify(s.range.map(toBase64)));
  }

  setSyncTarget(logId: number, targetCheckpointId: number) {
    const s = this.syncState(logId) ?? { targetCheckpointId: null, nextIndex: 0, range: [] };
    this.writeSyncState(logId, { ...s, targetCheckpointId });
  }

  entryCount(logId: number): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM entries WHERE log_id = ?').get(logId) as {
        n: number;
      }
    ).n;
  }

  /**
   * Stores a batch of verified entries and the tiles they completed, and moves the sync state on,
   * in one transaction: a crash leaves either all of it or none of it.
   */
  commitBatch(
    logId: number,
    entries: EntryRow[],
    tiles: TileRow[],
    state: SyncState,
    acceptCheckpointId: number | null,
    now = Date.now(),
  ) {
    const upsertTile = this.db.prepare(
      'INSERT INTO tiles (log_id, level, idx, data) VALUES (?, ?, ?, ?) ON CONFLICT(log_id, level, idx) DO UPDATE SET data = excluded.data',
    );
    const buckets = new Map<number, number>();
    this.db.transaction(() => {
      for (const e of entries) {
        const f = e.fields;
        if (f.time !== null) {
          const b = f.time - (((f.time % TIME_BUCKET_MS) + TIME_BUCKET_MS) % TIME_BUCKET_MS);
          buckets.set(b, (buckets.get(b) ?? 0) + 1);
        }
        const { lastInsertRowid } = this.insertEntry.run(
          logId,
          e.idx,
          e.leafHash,
          f.kind,
          f.time,
          f.source,
          f.category,
          f.action,
          f.outcome,
          f.actor,
          f.actorType,
          f.actorRole,
          f.ip,
          f.target,
          f.targetType,
          f.subject,
          f.severity,
        );
        this.insertData.run(lastInsertRowid, e.data);
        this.insertText.run(lastInsertRowid, e.text);
      }
      for (const [start, n] of buckets) this.addToBucket.run(start, n);
      for (const t of tiles) upsertTile.run(logId, t.level, t.idx, t.data);
      this.writeSyncState(
        logId,
        acceptCheckpointId === null ? state : { ...state, targetCheckpointId: null },
      );
      if (acceptCheckpointId !== null) {
        this.db
          .prepare('UPDATE checkpoints SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL')
          .run(now, acceptCheckpointId);
      }
    })();
  }

  tile(logId: number, level: number, idx: number): Uint8Array | null {
    const r = this.db
      .prepare('SELECT data FROM tiles WHERE log_id = ? AND level = ? AND idx = ?')
      .get(logId, level, idx) as { data: Buffer } | undefined;
    return r ? u8(r.data) : null;
  }

  /** Leaf hashes of entries [from, to) of a log, in order. */
  leafHashes(logId: number, from: number, to: number): Uint8Array[] {
    return (
      this.db
        .prepare(
          'SELECT leaf_hash FROM entries WHERE log_id = ? AND idx >= ? AND idx < ? ORDER BY idx',
        )
        .all(logId, from, to) as Array<{ leaf_hash: Buffer }>
    ).map((r) => u8(r.leaf_hash));
  }

  entry(logId: number, idx: number): { data: Uint8Array; leafHash: Uint8Array } | null {
    const r = this.db
      .prepare(
        'SELECT d.data, e.leaf_hash FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.log_id = ? AND e.idx = ?',
      )
      .get(logId, idx) as { data: Buffer; leaf_hash: Buffer } | undefined;
    return r ? { data: u8(r.data), leafHash: u8(r.leaf_hash) } : null;
  }

  /**
   * Every stored entry of a log in index order, streamed. Rows are read in ranges with raw rows:
   * better-sqlite3's per-row cost dominates a scan, and this halves it.
   */
  *iterateEntries(
    logId: number,
    batch = 4096,
  ): Generator<{ idx: number; data: Uint8Array; leafHash: Uint8Array }> {
    const stmt = this.db
      .prepare(
        'SELECT e.idx, d.data, e.leaf_hash FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.log_id = ? AND e.idx > ? ORDER BY e.idx LIMIT ?',
      )
      .raw(true);
    let after = -1;
    for (;;) {
      const rows = stmt.all(logId, after, batch) as Array<[number, Buffer, Buffer]>;
      for (const [idx, data, leafHash] of rows)
        yield { idx, data: u8(data), leafHash: u8(leafHash) };
      if (rows.length < batch) return;
      after = rows[rows.length - 1][0];
    }
  }

  recordAlarm(
    a: {
      logId: number | null;
      origin: string | null;
      sourceId: number | null;
      kind: AlarmKind;
      message: string;
      evidence: Record<string, unknown>;
    },
    now = Date.now(),
  ): number {
    return Number(
      this.db
        .prepare(
          'INSERT INTO alarms (log_id, origin, source_id, kind, message, evidence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(a.logId, a.origin, a.sourceId, a.kind, a.message, JSON.stringify(a.evidence), now)
        .lastInsertRowid,
    );
  }

  /** Marks an alarm as seen; false when there is no such alarm or it was already acknowledged. */
  acknowledgeAlarm(id: number, now = Date.now()): boolean {
    return (
      this.db
        .prepare('UPDATE alarms SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL')
        .run(now, id).changes > 0
    );
  }

  listAlarms(): AlarmRow[] {
    return (
      this.db.prepare('SELECT * FROM alarms ORDER BY id').all() as Array<Record<string, unknown>>
    ).map((r) => ({
      id: r.id as number,
      logId: r.log_id as number | null,
      origin: r.origin as string | null,
      sourceId: r.source_id as number | null,
      kind: r.kind as AlarmKind,
      message: r.message as string,
      evidence: JSON.parse(r.evidence as string),
      createdAt: r.created_at as number,
      acknowledgedAt: r.acknowledged_at as number | null,
    }));
  }
}
