/** The officer's activity journal: appends, listing, verification, export, and tampering each way. */
import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/bytes';
import { encodeEntry } from '../../shared/entry/model';
import { ed25519NoteSigner, parsePrivateKeyString, SIG_ED25519 } from '../../shared/tlog/note';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from '../../main/store/migrations/index';
import { ed25519SignerFromSeed, nodeCrypto } from '../../main/crypto/nodeCrypto';
import type { LogKey } from '../../main/tlog/keys';
import { CacheLogStorage } from '../../main/journal/cacheLogStorage';
import {
  ANCHOR_RECREATED_ACTION,
  Journal,
  JournalAnchorError,
  JournalError,
} from '../../main/journal/journal';
import { sealEntries } from '../../main/tlog/seal';
import { custos, tempDir } from '../helpers/cli';
import { newKey, openStore } from '../helpers/cache';

const QUERY_MARKER = 'Nomvula-Query-5e1d';

function newCache(name = 'c.db') {
  const dir = tempDir('custos-journal-');
  const path = join(dir, name);
  const key = newKey();
  const store = openStore(path, key);
  let clock = Date.UTC(2026, 6, 1, 8, 0, 0);
  const open = (officer = 'a.dlamini') =>
    Journal.open(store, path, { officer, now: () => (clock += 1000) });
  return { dir, path, key, store, journal: open(), open };
}

async function appendSome(journal: Journal, n: number, from = 0) {
  for (let i = from; i < from + n; i++)
    await journal.append('search.run', { query: `actor:u-${i} ${QUERY_MARKER}`, n: i });
}

const problemsOf = async (journal: Journal) => {
  const r = await journal.verify();
  expect(r.ok).toBe(r.problems.length === 0);
  return r.problems;
};

/** Changes one byte of a journal_store row in place, as someone with the cache key could. */
function alterStoreRow(
  store: ReturnType<typeof openStore>,
  path: string,
  at: (b: Buffer) => number,
) {
  const row = store.db.prepare('SELECT data FROM journal_store WHERE path = ?').get(path) as
    { data: Buffer } | undefined;
  expect(row, `${path} is stored`).toBeDefined();
  const data = Buffer.from(row!.data);
  const i = at(data);
  data[i] ^= 0x01;
  store.db.prepare('UPDATE journal_store SET data = ? WHERE path = ?').run(data, path);
}

describe('appending and listing', () => {
  it('records each action as a custos.audit/v1 entry and lists the newest first', async () => {
    const { journal } = newCache();
    expect(journal.size).toBe(0);
    expect(journal.origin).toBeNull();
    expect(journal.list()).toEqual([]);

    const first = await journal.append('search.run', { query: 'action:user.login', results: 12 });
    await journal.append(
      'case.create',
      { title: 'Night exports' },
      { target: { type: 'case', id: 'c-1' }, reason: 'lead from a detection' },
    );
    await journal.append('settings.change', { theme: 'dark' }, { category: 'system' });

    expect(first.index).toBe(0);
    expect(journal.size).toBe(3);
    expect(journal.origin).toMatch(/^custos\.journal\/[0-9a-f]{16}$/);
    expect(journal.publicKey).toMatch(/^custos\.journal\/[0-9a-f]{16}\+[0-9a-f]{8}\+/);
    expect(journal.checkpoint()).toMatch(/^custos\.journal\/[0-9a-f]{16}\n3\n/);

    const listed = journal.list();
    expect(listed.map((e) => [e.index, e.action])).toEqual([
      [2, 'settings.change'],
      [1, 'case.create'],
      [0, 'search.run'],
    ]);
    expect(listed[2]).toMatchObject({
      officer: 'a.dlamini',
      category: 'data',
      outcome: 'success',
      severity: 'info',
      details: { query: 'action:user.login', results: 12 },
      time: Date.UTC(2026, 6, 1, 8, 0, 1),
    });
    expect(listed[1]).toMatchObject({
      target: { type: 'case', id: 'c-1' },
      reason: 'lead from a detection',
    });
    expect(listed[0].category).toBe('system');
    expect(journal.list({ limit: 1, beforeIndex: 2 }).map((e) => e.index)).toEqual([1]);
    expect(journal.listForConsole(2)).toEqual({
      size: 3,
      origin: journal.origin,
      entries: listed.slice(0, 2).map(({ index, time, officer, action, details }) => ({
        index,
        time,
        officer,
        action,
        details,
      })),
    });
  });

  it('refuses an action that is not a dotted verb, and details that are not JSON', async () => {
    const { journal } = newCache();
    await expect(journal.append('Search Run', {})).rejects.toThrow(JournalError);
    await expect(journal.append('search', {})).rejects.toThrow(/dotted lowercase verb/);
    await expect(journal.append(ANCHOR_RECREATED_ACTION, {})).rejects.toThrow(
      /recorded by the journal itself/,
    );
    await expect(journal.append('note.add', { n: Number.NaN })).rejects.toThrow(
      /journal entry note\.add/,
    );
    await expect(journal.append('note.add', { body: 'x'.repeat(70_000) })).rejects.toThrow(
      /limit is 65535/,
    );
    // Refused appends leave nothing behind, and the next one goes on.
    await journal.append('note.add', { body: 'fine' });
    expect(journal.size).toBe(1);
    expect((await journal.verify()).ok).toBe(true);
  });

  it('lands concurrent appends all, in call order, without interleaving seals', async () => {
    const { journal } = newCache();
    await Promise.all(Array.from({ length: 40 }, (_, n) => journal.append('event.open', { n })));
    expect(journal.size).toBe(40);
    const listed = journal.list({ limit: 100 }).reverse();
    expect(listed.map((e) => e.details.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect(listed.map((e) => e.index)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect(await problemsOf(journal)).toEqual([]);
  });

  it('lets two instances over one cache append at once: none is lost', async () => {
    const { journal, open } = newCache();
    const other = open('b.mokoena');
    await Promise.all([
      ...Array.from({ length: 8 }, (_, n) => journal.append('note.add', { n })),
      ...Array.from({ length: 8 }, (_, n) => other.append('bookmark.add', { n })),
    ]);
    expect(journal.size).toBe(16);
    const listed = journal.list({ limit: 100 });
    expect(listed.filter((e) => e.officer === 'a.dlamini')).toHaveLength(8);
    expect(listed.filter((e) => e.officer === 'b.mokoena')).toHaveLength(8);
    const verified = await journal.verify();
    expect(verified.problems).toEqual([]);
    // Two writers' anchor writes may finish out of order: the anchor may trail, never be wrong.
    expect(verified.anchorSize).toBeGreaterThan(0);
  });

  it('keeps only the current partial tiles, across a full segment', async () => {
    const { journal, store } = newCache();
    await appendSome(journal, 260);
    const paths = new CacheLogStorage(store.db).paths();
    expect(paths).toEqual([
      'checkpoint',
      'tile/0/000',
      'tile/0/001.p/4',
      'tile/1/000.p/1',
      'tile/entries/000',
      'tile/entries/001.p/4',
    ]);
    expect(await problemsOf(journal)).toEqual([]);
  });

  it('keeps audit data inside the encrypted cache: the anchor holds only the tree head', async () => {
    const { journal, dir, path } = newCache();
    await appendSome(journal, 5);
    const anchor = readFileSync(`${path}.journal-checkpoint`, 'utf8');
    expect(anchor).toBe(journal.checkpoint());
    expect(anchor.split('\n\n')[0].split('\n')).toHaveLength(3);
    expect(statSync(`${path}.journal-checkpoint`).mode & 0o777).toBe(0o600);
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes(QUERY_MARKER), f).toBe(false);
      expect(bytes.includes('search.run'), f).toBe(false);
      expect(bytes.includes('PRIVATE+KEY'), f).toBe(false);
    }
  });
});

describe('verify and export', () => {
  it('passes on an untouched journal, and on one not started yet', async () => {
    const { journal } = newCache();
    expect(await journal.verify()).toMatchObject({ ok: true, origin: null, size: 0, problems: [] });
    await appendSome(journal, 300);
    const r = await journal.verify();
    expect(r).toMatchObject({ ok: true, size: 300, anchorSize: 300, problems: [], warnings: [] });
    expect(r.origin).toBe(journal.origin);
  });

  it('exports a tlog-tiles folder that custos verify --store accepts', async () => {
    const { journal, dir } = newCache();
    await appendSome(journal, 270);
    const out = join(dir, 'journal-export');
    const r = await journal.exportTo(out);
    expect(r).toMatchObject({ size: 270, origin: journal.origin });
    expect(readFileSync(r.publicKeyPath, 'utf8').trim()).toBe(journal.publicKey);
    expect(readFileSync(join(out, 'checkpoint'), 'utf8')).toBe(journal.checkpoint());

    const verified = await custos('verify', '--store', out, '--trust', r.publicKeyPath, '--json');
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, size: 270 });

    // The export is checked, not trusted: an altered entry in it fails custos verify.
    const bundle = join(out, 'tile/entries/001.p/14');
    const bytes = readFileSync(bundle);
    bytes[bytes.indexOf('search.run')] ^= 0x01;
    writeFileSync(bundle, bytes);
    const tampered = await custos('verify', '--store', out, '--trust', r.publicKeyPath);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/tile\/entries\/001\.p\/14: entry 2\d\d does not match/);

    await expect(journal.exportTo(out)).rejects.toThrow(/not empty/);
    await expect(newCache().journal.exportTo(join(dir, 'empty'))).rejects.toThrow(
      /journal is empty/,
    );
  });
});

describe('tampering is detected and named', () => {
  it('an altered entry in a journal_store bundle row', async () => {
    const { journal, store } = newCache();
    await appendSome(journal, 5);
    alterStoreRow(store, 'tile/entries/000.p/5', (b) => b.lastIndexOf('search.run'));
    expect(await problemsOf(journal)).toContainEqual(
      'journal tile/entries/000.p/5, entry 4: entry 4 does not match its leaf hash: the entry was altered, removed, inserted or moved',
    );
    await expect(journal.append('note.add', {})).rejects.toThrow(
      /cannot append to the journal in journal_store in .*c\.db: .*run custos journal --verify/,
    );
  });

  it('an altered hash tile row', async () => {
    const { journal, store } = newCache();
    await appendSome(journal, 5);
    alterStoreRow(store, 'tile/0/000.p/5', () => 40);
    expect(await problemsOf(journal)).toContainEqual(
      'journal tile/0/000.p/5, entry 1: leaf hash 1 does not match entry 1: the hash tile was altered',
    );
  });

  it('an altered checkpoint row', async () => {
    const { journal, store } = newCache();
    await appendSome(journal, 5);
    const note = journal.checkpoint()!.replace('\n5\n', '\n4\n');
    store.db.prepare("UPDATE journal_store SET data = ? WHERE path = 'checkpoint'").run(utf8(note));
    const problems = await problemsOf(journal);
    expect(problems[0]).toMatch(/^journal checkpoint: .*does not verify/);
  });

  it('an altered, removed or added row of the listing copy', async () => {
    const { journal, store } = newCache();
    await appendSome(journal, 5);
    store.db.exec("UPDATE journal_entries SET action = 'note.add' WHERE idx = 1");
    store.db.exec("UPDATE journal_entries SET data = CAST('{}' AS BLOB) WHERE idx = 2");
    store.db.exec('DELETE FROM journal_entries WHERE idx = 3');
    store.db
      .prepare(
        'INSERT INTO journal_entries (idx, time, officer, action, data) VALUES (?, ?, ?, ?, ?)',
      )
      .run(9, 0, 'x', 'note.add', Buffer.from('{}'));
    expect(await problemsOf(journal)).toEqual([
      'journal_entries row 1: its time, officer or action column does not match entry 1: the listing copy was altered',
      "journal_entries row 2 differs from entry 2 in the journal's tiles: the listing copy was altered",
      "journal_entries row 9 is beyond the journal's 5 entries: it was added outside the journal, or the journal was truncated",
      'journal_entries has no row for entry 3: the listing copy lost it',
    ]);
    // Listing still works, and shows what it cannot read as damaged.
    expect(journal.list().find((e) => e.index === 2)?.damaged).toMatch(/cannot be read/);
  });

  it('a deleted anchor; the next append re-creates it and records that it did', async () => {
    const { journal, path } = newCache();
    await appendSome(journal, 4);
    rmSync(`${path}.journal-checkpoint`);
    expect(await problemsOf(journal)).toEqual([
      `the anchor file ${path}.journal-checkpoint is missing: it was deleted or moved, so a rollback of the cache could not be detected`,
    ]);
    await journal.append('note.add', { body: 'after' });
    expect(journal.list({ limit: 2 }).map((e) => e.action)).toEqual([
      'note.add',
      ANCHOR_RECREATED_ACTION,
    ]);
    const r = await journal.verify();
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /^entry 4 \(2026-07-01T08:00:05\.000Z\): the anchor file was missing and was re-created; the 4 entries before it/,
      ),
    ]);
  });

  it('an anchor never written (the first append stopped short) is named, and not an incident', async () => {
    const { journal, path, store } = newCache();
    await appendSome(journal, 2);
    rmSync(`${path}.journal-checkpoint`);
    store.db.exec("DELETE FROM meta WHERE key = 'journal_anchored'");
    expect(await problemsOf(journal)).toEqual([
      `the anchor file ${path}.journal-checkpoint was never written: the first append did not finish (or the anchor is being written now)`,
    ]);
    await journal.append('note.add', {});
    expect(journal.list().map((e) => e.action)).not.toContain(ANCHOR_RECREATED_ACTION);
    expect(await journal.verify()).toMatchObject({ ok: true, anchorSize: 3, warnings: [] });
  });

  it('a cache copied back from before (rollback): found, and the anchor is kept as evidence', async () => {
    const { journal, path, key, store, dir } = newCache();
    await appendSome(journal, 3);
    store.close();
    const backup = join(dir, 'backup.db');
    copyFileSync(path, backup);
    expect(existsSync(`${path}-wal`)).toBe(false);

    let reopened = openStore(path, key, false);
    await appendSome(Journal.open(reopened, path, { officer: 'a.dlamini' }), 3, 3);
    const anchorAt6 = readFileSync(`${path}.journal-checkpoint`, 'utf8');
    reopened.close();

    copyFileSync(backup, path);
    reopened = openStore(path, key, false);
    const rolledBack = Journal.open(reopened, path, { officer: 'a.dlamini' });
    expect(await problemsOf(rolledBack)).toEqual([
      `the anchor file ${path}.journal-checkpoint records 6 entries but the journal in the cache has 3: the cache was rolled back to an older copy, or entries were removed`,
    ]);

    // Appending goes on recording, but never overwrites the evidence.
    const err = await rolledBack.append('note.add', {}).catch((e) => e);
    expect(err).toBeInstanceOf(JournalAnchorError);
    expect(err.message).toMatch(
      /entry 3 \(note\.add\) was recorded, but the anchor was not updated: .* rolled back/,
    );
    expect(err.entry.index).toBe(3);
    expect(readFileSync(`${path}.journal-checkpoint`, 'utf8')).toBe(anchorAt6);

    // Growing past the anchor's size does not hide it either: the history differs.
    for (let i = 0; i < 3; i++) await rolledBack.append('note.add', { i }).catch(() => undefined);
    expect(rolledBack.size).toBe(7);
    expect(await problemsOf(rolledBack)).toEqual([
      expect.stringMatching(
        /^the journal's first 6 entries are not those the anchor file .* recorded \(.*\): the journal's history was rewritten$/,
      ),
    ]);
    reopened.close();
  });

  it('a journal re-created with a fresh key and history', async () => {
    const { journal, path, store, open } = newCache();
    await appendSome(journal, 4);
    const oldOrigin = journal.origin!;
    store.db.exec(`
      DELETE FROM journal_store; DELETE FROM journal_entries;
      DELETE FROM meta WHERE key LIKE 'journal_%';
    `);
    expect(await problemsOf(journal)).toEqual([
      `the cache has no journal, but the anchor file ${path}.journal-checkpoint holds a checkpoint of journal ${oldOrigin} at 4 entries: the journal was deleted from the cache (or the cache replaced), or it belongs to another cache`,
    ]);

    const fresh = open();
    await expect(fresh.append('note.add', {})).rejects.toThrow(JournalAnchorError);
    await appendSome(fresh, 5).catch(() => undefined);
    expect(fresh.origin).not.toBe(oldOrigin);
    expect(await problemsOf(fresh)).toEqual([
      `the anchor file ${path}.journal-checkpoint is a checkpoint of journal ${oldOrigin}, but this cache's journal is ${fresh.origin}: the journal was re-created with a fresh key and history, or it belongs to another cache`,
    ]);
  });

  it('a history rewritten with the journal key itself (same size, and longer)', async () => {
    const { journal, store, path } = newCache();
    await appendSome(journal, 6);
    const keptNote = journal.checkpoint()!;
    const privateKey = (
      store.db.prepare("SELECT value FROM meta WHERE key = 'journal_private_key'").get() as {
        value: string;
      }
    ).value;
    expect(parsePrivateKeyString(nodeCrypto, privateKey).name).toBe(journal.origin);

    // Someone holding the cache key re-seals the journal without entry 2, and fixes the copy.
    const rewrite = async (count: number) => {
      const originals = journal.list({ limit: 100 }).reverse();
      store.db.exec('DELETE FROM journal_store; DELETE FROM journal_entries;');
      const kept = [...originals.slice(0, 2), ...originals.slice(3)];
      while (kept.length < count) kept.push({ ...originals[0], details: { n: kept.length } });
      const bytes = kept.map((e) =>
        encodeEntry({
          kind: 'custos.audit/v1',
          id: `${e.id}-${kept.indexOf(e)}`,
          time: new Date(e.time).toISOString(),
          source: 'custos.journal',
          category: e.category,
          action: e.action,
          outcome: e.outcome,
          actor: { id: e.officer, type: 'user' },
          severity: e.severity,
          attributes: e.details,
        }),
      );
      await sealEntries(new CacheLogStorage(store.db), logKeyFromText(privateKey), bytes);
      const insert = store.db.prepare(
        'INSERT INTO journal_entries (idx, time, officer, action, data) VALUES (?, ?, ?, ?, ?)',
      );
      bytes.forEach((b, i) => insert.run(i, kept[i].time, kept[i].officer, kept[i].action, b));
    };

    await rewrite(6);
    expect(await problemsOf(journal)).toEqual([
      `the anchor file ${path}.journal-checkpoint records 6 entries with another root hash than the journal's: the journal's history was rewritten`,
    ]);
    await rewrite(9);
    expect(await problemsOf(journal)).toEqual([
      expect.stringMatching(
        /^the journal's first 6 entries are not those the anchor file .*: the journal's history was rewritten$/,
      ),
    ]);

    // The limit: whoever can also write the anchor makes it match, and the anchor alone is fooled…
    writeFileSync(`${path}.journal-checkpoint`, journal.checkpoint()!);
    expect(await problemsOf(journal)).toEqual([]);
    // …but a checkpoint kept elsewhere before (in a case bundle, a report) still catches it.
    const kept = [{ note: keptNote, label: 'the journal checkpoint of case bundle c-1' }];
    expect((await journal.verify({ kept })).problems).toEqual([
      expect.stringMatching(
        /^the journal's first 6 entries are not those the journal checkpoint of case bundle c-1 recorded \(.*\): the journal's history was rewritten$/,
      ),
    ]);
  });

  it('a checkpoint kept elsewhere that the journal still extends passes', async () => {
    const { journal } = newCache();
    await appendSome(journal, 3);
    const kept = [{ note: journal.checkpoint()!, label: 'the checkpoint in report R-7' }];
    await appendSome(journal, 300, 3);
    expect(await journal.verify({ kept })).toMatchObject({ ok: true, problems: [] });
    const other = newCache().journal;
    await other.append('note.add', {});
    expect((await other.verify({ kept })).problems).toEqual([
      `the checkpoint in report R-7 is a checkpoint of journal ${journal.origin}, but this cache's journal is ${other.origin}: the journal was re-created with a fresh key and history, or it belongs to another cache`,
    ]);
  });
});

describe('the journal migration', () => {
  it('brings a cache made at schema version 2 to version 3 and beyond, keeping what it held', async () => {
    const dir = tempDir('custos-journal-mig-');
    const path = join(dir, 'v2.db');
    const key = newKey();
    const db = new Database(path);
    db.pragma(`cipher='sqlcipher'`);
    db.pragma('legacy=4');
    db.pragma('legacy_page_size=16384');
    db.pragma(`key="x'${key.toString('hex')}'"`);
    expect(migrate(db, MIGRATIONS.slice(0, 2))).toBe(2);
    db.prepare("INSERT INTO meta (key, value) VALUES ('kept', 'yes')").run();
    const tables = () =>
      (
        db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'journal_%'").all() as Array<{
          name: string;
        }>
      ).map((r) => r.name);
    expect(tables()).toEqual([]);
    db.close();

    // Exactly version 3 with the journal migration alone…
    const at3 = new Database(':memory:');
    expect(migrate(at3, MIGRATIONS.slice(0, 3))).toBe(3);
    expect(at3.pragma('user_version', { simple: true })).toBe(3);
    at3.close();

    // …and the real cache, opened as the app opens it, reaches the current version.
    const cache = openStore(path, key, false);
    const version = cache.db.pragma('user_version', { simple: true }) as number;
    expect(version).toBe(SCHEMA_VERSION);
    expect(version).toBeGreaterThanOrEqual(3);
    expect(cache.getMeta('kept')).toBe('yes');
    const journal = Journal.open(cache, path, { officer: 'a.dlamini' });
    await journal.append('cache.open', {}, { category: 'system' });
    expect((await journal.verify()).ok).toBe(true);
    cache.close();
  });
});

/** The journal's signing key, as someone who can read the cache's meta table has it. */
function logKeyFromText(text: string): LogKey {
  const { name, keyId, seed } = parsePrivateKeyString(nodeCrypto, text);
  const ed = ed25519SignerFromSeed(seed);
  return {
    name,
    signer: ed25519NoteSigner(nodeCrypto, name, ed),
    verifier: { name, keyId, type: SIG_ED25519, publicKey: ed.publicKey },
  };
}
