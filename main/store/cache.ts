/**
 * The encrypted cache: one SQLite file per workspace, encrypted with SQLCipher v4's format through
 * better-sqlite3-multiple-ciphers. Why SQLCipher v4 and not the module's default ChaCha20: an
 * auditor can open the file with standard SQLCipher 4 tools and the key (see README); measured on
 * this kind of machine, with 16 KiB pages its insert speed is within a few percent of ChaCha20.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { existsSync, rmSync } from 'node:fs';
import { migrate } from './migrations/index';

export type Db = Database.Database;

/** Pages of 16 KiB: a quarter of the per-page cipher work of 4 KiB pages for bulk inserts. */
export const CACHE_PAGE_SIZE = 16384;

export class CacheError extends Error {
  override name = 'CacheError';
}

export interface OpenOptions {
  /** Create the file when it does not exist (sync does; everything else needs an existing cache). */
  create?: boolean;
  readonly?: boolean;
}

function applyKey(db: Db, key: Buffer) {
  if (key.length !== 32) throw new CacheError('the cache key must be 32 bytes');
  db.pragma(`cipher='sqlcipher'`);
  db.pragma('legacy=4');
  db.pragma(`legacy_page_size=${CACHE_PAGE_SIZE}`);
  // A raw key (x'...') skips the KDF: the key is already 256 random bits.
  db.pragma(`key="x'${key.toString('hex')}'"`);
}

/** Opens (or creates) an encrypted cache and brings its schema up to date. */
export function openCacheDb(path: string, key: Buffer, options: OpenOptions = {}): Db {
  const exists = existsSync(path);
  if (!exists && !options.create) throw new CacheError(`no cache at ${path}`);
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: exists, readonly: options.readonly ?? false });
  } catch (e) {
    throw new CacheError(`cannot open ${path}: ${(e as Error).message}`);
  }
  try {
    applyKey(db, key);
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_NOTADB') {
        throw new CacheError(`cannot open ${path}: wrong cache key, or not a Custos cache`);
      }
      throw e;
    }
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    // Sorts and temporary indexes stay in memory: no plaintext temp files next to the cache.
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -65536');
    if (!options.readonly) migrate(db);
    return db;
  } catch (e) {
    db.close();
    if (!exists) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    }
    throw e instanceof CacheError
      ? e
      : new CacheError(`cannot open ${path}: ${(e as Error).message}`);
  }
}

/** Changes the key of a cache in place. */
export function rekeyCacheDb(db: Db, newKey: Buffer) {
  if (newKey.length !== 32) throw new CacheError('the new cache key must be 32 bytes');
  // Rekeying rewrites every page; WAL must be checkpointed first so no frame keeps the old key.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('journal_mode = DELETE');
  db.pragma(`rekey="x'${newKey.toString('hex')}'"`);
  db.pragma('journal_mode = WAL');
}
