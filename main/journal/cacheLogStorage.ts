/**
 * A tlog-tiles store kept in a table of the encrypted cache (`journal_store`), so that sealEntries
 * and verifyStore work on the officer's journal unchanged while its entries never leave the
 * encrypted file in plaintext.
 */
import type { Db } from '../store/cache';
import {
  MAX_RESOURCE_SIZE,
  StorageError,
  type LogStorage,
  type WritableLogStorage,
} from '../tlog/storage';

const PATH = /^(checkpoint|tile\/(entries|\d{1,2})(\/x\d{3})*\/\d{3}(\.p\/\d{1,3})?)$/;

function checkPath(path: string, where: string) {
  if (!PATH.test(path))
    throw new StorageError(`invalid store path ${JSON.stringify(path)} in ${where}`);
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

/**
 * The journal's store inside the cache. Each write is one INSERT OR REPLACE, which SQLite makes
 * atomic; flush has nothing to do (SQLite makes each commit durable). Writes of a whole append
 * should rather go through {@link StagedLogStorage} and {@link CacheLogStorage.commit}, so that
 * they land in one transaction.
 */
export class CacheLogStorage implements WritableLogStorage {
  readonly location: string;
  private readonly select;
  private readonly upsert;
  private readonly pruneOthers;

  constructor(
    readonly db: Db,
    readonly table = 'journal_store',
  ) {
    if (!/^[a-z_]+$/.test(table)) throw new StorageError(`invalid table name ${table}`);
    this.location = `${table} in ${db.name}`;
    this.select = db.prepare(`SELECT data FROM ${table} WHERE path = ?`);
    this.upsert = db.prepare(`INSERT OR REPLACE INTO ${table} (path, data) VALUES (?, ?)`);
    // Every path starting with `<base>.p/` other than the one kept: '/' + 1 is '0'.
    this.pruneOthers = db.prepare(
      `DELETE FROM ${table} WHERE path > ? || '.p/' AND path < ? || '.p0' AND path <> ?`,
    );
  }

  async read(path: string): Promise<Uint8Array | null> {
    return this.readSync(path);
  }

  /** The resource's bytes, or null; synchronous, for callers inside a transaction. */
  readSync(path: string): Uint8Array | null {
    checkPath(path, this.location);
    const row = this.select.get(path) as { data: Buffer } | undefined;
    if (!row) return null;
    if (row.data.length > MAX_RESOURCE_SIZE) {
      throw new StorageError(
        `${path} in ${this.location} is ${row.data.length} bytes, larger than any store resource`,
      );
    }
    return u8(row.data);
  }

  async write(path: string, data: Uint8Array): Promise<void> {
    this.writeSync(path, data);
  }

  async flush(): Promise<void> {}

  /** Every stored path, in order. */
  paths(): string[] {
    return (
      this.db.prepare(`SELECT path FROM ${this.table} ORDER BY path`).all() as Array<{
        path: string;
      }>
    ).map((r) => r.path);
  }

  /**
   * Writes staged resources. Call inside a transaction to make them land together. A tile or
   * bundle written supersedes the narrower partial ones at the same place, which are deleted:
   * one append per entry would otherwise leave up to 255 stale partial bundles per segment.
   */
  commit(writes: ReadonlyMap<string, Uint8Array>) {
    for (const [path, data] of writes) {
      this.writeSync(path, data);
      if (path.startsWith('tile/')) {
        const base = path.replace(/\.p\/\d+$/, '');
        this.pruneOthers.run(base, base, path);
      }
    }
  }

  private writeSync(path: string, data: Uint8Array) {
    checkPath(path, this.location);
    if (data.length > MAX_RESOURCE_SIZE)
      throw new StorageError(`${path} is ${data.length} bytes, larger than any store resource`);
    this.upsert.run(path, Buffer.from(data.buffer, data.byteOffset, data.length));
  }
}

/**
 * Holds writes in memory over a store that is read through, so that a seal can be prepared
 * without touching the store and then committed in one transaction (or dropped).
 */
export class StagedLogStorage implements WritableLogStorage {
  readonly writes = new Map<string, Uint8Array>();
  constructor(private readonly base: LogStorage) {}
  get location() {
    return this.base.location;
  }
  async read(path: string): Promise<Uint8Array | null> {
    return this.writes.get(path) ?? this.base.read(path);
  }
  async write(path: string, data: Uint8Array): Promise<void> {
    this.writes.set(path, data.slice());
  }
  async flush(): Promise<void> {}
}
