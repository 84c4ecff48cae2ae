/** The cache at rest: encryption, keys, schema versions, rekeying, and re-verification. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTrust } from '../../main/tlog/keys';
import { FolderStorage } from '../../main/tlog/storage';
import { syncSource } from '../../main/sync/engine';
import { openCacheDb } from '../../main/store/cache';
import { migrate, SCHEMA_VERSION, type Migration } from '../../main/store/migrations/index';
import { custos, tempDir } from '../helpers/cli';
import { newKey, newLogKey, openStore, sealRange } from '../helpers/cache';

let dir: string;
let log: { key: string; pub: string };
let store: string;
const MARKER = 'Zanele-Marker-7f3a9c';

beforeAll(async () => {
  dir = tempDir('custos-rest-');
  log = await newLogKey(dir, 'log', 'rest.example/log');
  store = join(dir, 'store');
  // Entries carrying a marker we can search for in every file the sync writes.
  await sealRange(store, log.key, 0, 2000, { reason: `${MARKER} reviewed the account` });
});

async function syncedCache(name: string, key = newKey()) {
  const path = join(dir, name);
  const cache = openStore(path, key);
  await syncSource(cache, new FolderStorage(store), await readTrust(log.pub));
  return { path, key, cache };
}

/** Runs custos with the cache key in the environment, as a user would. */
async function withKey(key: Buffer, ...args: string[]) {
  const saved = process.env.CUSTOS_CACHE_KEY;
  process.env.CUSTOS_CACHE_KEY = key.toString('hex');
  try {
    return await custos(...args);
  } finally {
    if (saved === undefined) delete process.env.CUSTOS_CACHE_KEY;
    else process.env.CUSTOS_CACHE_KEY = saved;
  }
}

describe('encryption at rest', () => {
  it('is not a database to sqlite3, and no entry text appears in any file the sync wrote', async () => {
    const sub = tempDir('custos-enc-');
    const path = join(sub, 'c.db');
    const cache = openStore(path, newKey());
    await syncSource(cache, new FolderStorage(store), await readTrust(log.pub));
    // Look while the WAL still holds recent pages, and again after closing.
    const scan = () => {
      for (const f of readdirSync(sub)) {
        const bytes = readFileSync(join(sub, f));
        expect(bytes.includes(MARKER), f).toBe(false);
        expect(bytes.includes('rest.example/log'), f).toBe(false);
        expect(bytes.includes('user.login'), f).toBe(false);
      }
    };
    expect(readFileSync(join(store, 'tile/entries/000')).includes(MARKER)).toBe(true);
    expect(readdirSync(sub)).toContain('c.db-wal');
    scan();
    cache.close();
    scan();
    const r = spawnSync('sqlite3', [path, 'SELECT count(*) FROM entries;'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/file is not a database/);
  });
});

describe('keys', () => {
  it('gives one clear error for a wrong or missing key, and never creates a second cache', async () => {
    const { path, cache } = await syncedCache('keys.db');
    cache.close();
    const before = readdirSync(dir).sort();
    const wrong = await withKey(newKey(), 'verify', '--cache', path);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toBe(
      `custos verify: cannot open ${path}: wrong cache key, or not a Custos cache`,
    );
    const wrongSync = await withKey(
      newKey(),
      'sync',
      '--cache',
      path,
      '--from',
      store,
      '--trust',
      log.pub,
    );
    expect(wrongSync.code).toBe(2);
    expect(wrongSync.stderr).toMatch(/wrong cache key/);
    const saved = process.env.CUSTOS_CACHE_KEY;
    delete process.env.CUSTOS_CACHE_KEY;
    const missing = await custos('verify', '--cache', path);
    if (saved !== undefined) process.env.CUSTOS_CACHE_KEY = saved;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /no cache key: set CUSTOS_CACHE_KEY \(64 hex characters\) or use --key-file/,
    );
    const short = await custos('verify', '--cache', path, '--key-file', log.pub);
    expect(short.stderr).toMatch(/must hold exactly 64 hexadecimal characters/);
    expect(readdirSync(dir).sort()).toEqual(before);
    // A cache that does not exist is only created by sync, never by reading commands.
    const none = await withKey(newKey(), 'verify', '--cache', join(dir, 'nope.db'));
    expect(none.stderr).toMatch(/no cache at/);
    expect(existsSync(join(dir, 'nope.db'))).toBe(false);
  });

  it('reads the key from a 0600 key file made by cache new-key, and rekeys in place', async () => {
    const keyFile = join(dir, 'cache.key');
    expect((await custos('cache', 'new-key', '--out', keyFile)).code).toBe(0);
    const newFile = join(dir, 'cache2.key');
    await custos('cache', 'new-key', '--out', newFile);
    const path = join(dir, 'rekey.db');
    const s = await custos(
      'sync',
      '--cache',
      path,
      '--from',
      store,
      '--trust',
      log.pub,
      '--key-file',
      keyFile,
    );
    expect(s.code).toBe(0);
    const r = await custos(
      'cache',
      'rekey',
      '--cache',
      path,
      '--key-file',
      keyFile,
      '--new-key-file',
      newFile,
    );
    expect(r.code).toBe(0);
    expect((await custos('verify', '--cache', path, '--key-file', keyFile)).stderr).toMatch(
      /wrong cache key/,
    );
    const v = await custos('verify', '--cache', path, '--key-file', newFile);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('2000 entries');
  });
});

describe('schema versions', () => {
  it('migrates an empty cache in one step and refuses a cache newer than the app', () => {
    const path = join(dir, 'schema.db');
    const key = newKey();
    openCacheDb(path, key, { create: true }).close();
    const db = new Database(path);
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma('legacy_page_size=16384');
    db.pragma(`key="x'${key.toString('hex')}'"`);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openCacheDb(path, key)).toThrow(
      new RegExp(
        `schema version 99, newer than this Custos \\(${SCHEMA_VERSION}\\); update Custos`,
      ),
    );
  });

  it('runs pending migrations in one transaction, and none if one fails', () => {
    const db = new Database(':memory:');
    const ok: Migration = { version: 1, name: 'a', up: (d) => d.exec('CREATE TABLE a (x)') };
    const bad: Migration = {
      version: 2,
      name: 'b',
      up: (d) => d.exec('CREATE TABLE b (x); SELECT nonsense FROM nowhere'),
    };
    expect(() => migrate(db, [ok, bad])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) n FROM sqlite_master WHERE name = 'a'").get()).toEqual({
      n: 0,
    });
    expect(migrate(db, [ok])).toBe(1);
    expect(() => migrate(db, [{ ...ok, version: 2 }])).toThrow(/has version 2, expected 1/);
  });
});

describe('custos verify --cache', () => {
  const tamper = async (name: string, sql: string, params: unknown[] = []) => {
    const { path, key, cache } = await syncedCache(name);
    if (params.length) cache.db.prepare(sql).run(...params);
    else cache.db.exec(sql);
    cache.close();
    return withKey(key, 'verify', '--cache', path);
  };

  it('passes on an untouched cache and proves one entry', async () => {
    const { path, key, cache } = await syncedCache('ok.db');
    cache.close();
    const v = await withKey(key, 'verify', '--cache', path);
    expect(v.code).toBe(0);
    const one = await withKey(key, 'verify', '--cache', path, '--entry', '1234');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(
      /entry 1234 of rest.example\/log: verified at rest against checkpoint 2000\nc2sp.org\/tlog-proof@v1\nindex 1234\n/,
    );
  });

  it('detects an entry altered at rest by someone with the key', async () => {
    const v = await tamper(
      'alt.db',
      "UPDATE entry_data SET data = CAST(replace(CAST(data AS TEXT), 'reviewed', 'approved') AS BLOB) WHERE id = (SELECT id FROM entries WHERE idx = 777)",
    );
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(
      /rest.example\/log, entry 777: its bytes do not match its stored leaf hash/,
    );
  });

  it('detects an entry whose data and leaf hash were both replaced', async () => {
    const v = await tamper(
      'both.db',
      `UPDATE entry_data SET data = (SELECT d.data FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.idx = 5)
         WHERE id = (SELECT id FROM entries WHERE idx = 900);
       UPDATE entries SET leaf_hash = (SELECT leaf_hash FROM entries WHERE idx = 5) WHERE idx = 900;`,
    );
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/do not hash to the root of checkpoint 2000/);
  });

  it('detects a deleted entry, an altered tile and an altered checkpoint', async () => {
    const del = await tamper('del.db', 'DELETE FROM entries WHERE idx = 1500');
    expect(del.code).toBe(1);
    expect(del.stderr).toMatch(/entry 1500: entries 1500..1500 are missing/);
    const tile = await tamper(
      'tile.db',
      'UPDATE tiles SET data = zeroblob(length(data)) WHERE level = 1',
    );
    expect(tile.code).toBe(1);
    expect(tile.stdout).toMatch(/tile 1\/0: hash 0 does not match the entries below it/);
    const cp = await tamper('cp.db', 'UPDATE checkpoints SET size = 1999');
    expect(cp.code).toBe(1);
    expect(cp.stdout).toMatch(/stored checkpoint 1999 does not match its own signed note/);
  });

  it('exports a proof from the cache that checks against the entry', async () => {
    const { path, key, cache } = await syncedCache('proof.db');
    cache.close();
    const p = await withKey(key, 'proof', '--cache', path, '--entry', '42');
    expect(p.code).toBe(0);
    expect(p.stdout.startsWith('c2sp.org/tlog-proof@v1\nindex 42\n')).toBe(true);
    expect(
      execFileSync('grep', ['-c', '^— rest.example/log'], {
        input: p.stdout,
        encoding: 'utf8',
      }).trim(),
    ).toBe('1');
  });
});
