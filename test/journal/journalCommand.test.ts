/** `custos journal`: an officer lists, verifies and exports their activity journal from the CLI. */
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../main/journal/journal';
import { custos, tempDir, type CliResult } from '../helpers/cli';
import { newKey, openStore } from '../helpers/cache';

/** Runs custos with the cache key in the environment, as a user would. */
async function withKey(key: Buffer, ...args: string[]): Promise<CliResult> {
  const saved = process.env.CUSTOS_CACHE_KEY;
  process.env.CUSTOS_CACHE_KEY = key.toString('hex');
  try {
    return await custos(...args);
  } finally {
    if (saved === undefined) delete process.env.CUSTOS_CACHE_KEY;
    else process.env.CUSTOS_CACHE_KEY = saved;
  }
}

async function journalCache(entries: number) {
  const dir = tempDir('custos-journal-cli-');
  const path = join(dir, 'c.db');
  const key = newKey();
  const store = openStore(path, key);
  const journal = Journal.open(store, path, { officer: 'a.dlamini' });
  for (let i = 0; i < entries; i++)
    await journal.append(i % 2 ? 'event.open' : 'search.run', {
      query: `actor:u-${i}\u001b[31m`,
      entry: i,
    });
  const privateKey = store.getMeta('journal_private_key');
  const publicKey = journal.publicKey;
  store.close();
  return { dir, path, key, privateKey, publicKey };
}

/** No output ever holds a private key, the cache key or (except in an export) the verifier key. */
function expectNoKeys(r: CliResult, c: Awaited<ReturnType<typeof journalCache>>) {
  const all = r.stdout + r.stderr;
  expect(all).not.toMatch(/PRIVATE\+KEY/);
  // The key material is base64, which may itself hold '+': everything after the key ID.
  if (c.privateKey) expect(all).not.toContain(c.privateKey.split('+').slice(4).join('+'));
  expect(all.toLowerCase()).not.toContain(c.key.toString('hex'));
  if (c.publicKey) expect(all).not.toContain(c.publicKey.split('+').slice(2).join('+'));
}

describe('custos journal', () => {
  it('lists the newest entries: index, time, officer, action, a short detail', async () => {
    const c = await journalCache(5);
    const r = await withKey(c.key, 'journal', '--cache', c.path, '--limit', '3');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^index\s+time\s+officer\s+action\s+detail$/);
    expect(lines[1]).toMatch(
      /^4\s+20\d\d-\d\d-\d\dT[\d:.]+Z\s+a\.dlamini\s+search\.run\s+entry=4 query=actor:u-4\\u001b\[31m$/,
    );
    expect(lines[2]).toMatch(/^3\s+.*event\.open/);
    expect(lines[4]).toMatch(/^3 of 5 entries, newest first \(custos\.journal\/[0-9a-f]{16}\)$/);
    expect(r.stdout).not.toContain('\u001b');
    expectNoKeys(r, c);

    const json = await withKey(c.key, 'journal', '--cache', c.path, '--json');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.size).toBe(5);
    expect(parsed.entries.map((e: { index: number }) => e.index)).toEqual([4, 3, 2, 1, 0]);
    expect(parsed.entries[0]).toMatchObject({ officer: 'a.dlamini', details: { entry: 4 } });
    expectNoKeys(json, c);
  });

  it('says so when the journal is empty, and an empty journal verifies', async () => {
    const dir = tempDir('custos-journal-cli-');
    const path = join(dir, 'empty.db');
    const key = newKey();
    openStore(path, key).close();
    const keyFile = join(dir, 'cache.key');
    writeFileSync(keyFile, `${key.toString('hex')}\n`, { mode: 0o600 });
    const list = await custos('journal', '--cache', path, '--key-file', keyFile);
    expect(list).toEqual({ code: 0, stdout: 'the journal is empty\n', stderr: '' });
    const verify = await custos('journal', '--cache', path, '--key-file', keyFile, '--verify');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/result: {3}OK, the journal verifies/);
  });

  it('--verify exits 0 on an intact journal and 1 naming the problem when tampered', async () => {
    const c = await journalCache(4);
    const ok = await withKey(c.key, 'journal', '--cache', c.path, '--verify');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^entries: {2}4$/m);
    expect(ok.stdout).toMatch(/^anchor: {3}.*c\.db\.journal-checkpoint \(4 entries\)$/m);
    expect(ok.stdout).toMatch(/^result: {3}OK, the journal verifies$/m);
    expectNoKeys(ok, c);

    const json = await withKey(c.key, 'journal', '--cache', c.path, '--verify', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, size: 4, anchorSize: 4 });

    // Checkpoints kept elsewhere are checked too: one of this journal, one of another.
    const mine = join(c.dir, 'kept.txt');
    copyFileSync(`${c.path}.journal-checkpoint`, mine);
    const withKept = await withKey(
      c.key,
      'journal',
      '--cache',
      c.path,
      '--verify',
      '--checkpoint',
      mine,
    );
    expect(withKept.code).toBe(0);
    const other = await journalCache(1);
    const foreign = await withKey(
      c.key,
      'journal',
      '--cache',
      c.path,
      '--verify',
      '--checkpoint',
      mine,
      '--checkpoint',
      `${other.path}.journal-checkpoint`,
    );
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(
      /^custos journal: the checkpoint in .*c\.db\.journal-checkpoint is a checkpoint of journal custos\.journal\/[0-9a-f]{16}, but this cache's journal is /,
    );

    rmSync(`${c.path}.journal-checkpoint`);
    const bad = await withKey(c.key, 'journal', '--cache', c.path, '--verify');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /^PROBLEM {3}the anchor file .*c\.db\.journal-checkpoint is missing/m,
    );
    expect(bad.stdout).toMatch(/^result: {3}FAILED, 1 problem\(s\)$/m);
    expect(bad.stderr).toMatch(
      /^custos journal: the anchor file .*c\.db\.journal-checkpoint is missing: it was deleted or moved/,
    );
    expectNoKeys(bad, c);
  });

  it('--export writes a folder that custos verify --store accepts', async () => {
    const c = await journalCache(6);
    const out = join(c.dir, 'export');
    const r = await withKey(c.key, 'journal', '--cache', c.path, '--export', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^exported 6 entries of custos\.journal\/[0-9a-f]{16} to /);
    expectNoKeys(r, c);

    const verified = await custos('verify', '--store', out, '--trust', join(out, 'journal.pub'));
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/result: {3}OK, the store verifies/);

    const again = await withKey(c.key, 'journal', '--cache', c.path, '--export', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /^custos journal: cannot export the journal to .*: the folder is not empty$/m,
    );
  });

  it('exits 2 on bad usage, a missing cache or a wrong key', async () => {
    const c = await journalCache(1);
    const cases: Array<[string[], RegExp]> = [
      [['journal'], /--cache is required/],
      [
        ['journal', '--cache', c.path, '--verify', '--export', 'x'],
        /choose one of --verify and --export/,
      ],
      [['journal', '--cache', c.path, '--limit', 'ten'], /--limit must be a non-negative integer/],
      [['journal', '--cache', c.path, '--limit', '0'], /--limit must be from 1 to 1000/],
      [['journal', '--cache', c.path, '--verify', '--limit', '5'], /--limit goes with listing/],
      [['journal', '--cache', c.path, '--checkpoint', c.path], /--checkpoint goes with --verify/],
      [
        ['journal', '--cache', c.path, '--verify', '--checkpoint', join(c.dir, 'none.txt')],
        /cannot read checkpoint file .*none\.txt/,
      ],
      [['journal', '--cache', c.path, '--key', 'abc'], /Unknown option '--key'/],
      [['journal', '--cache', join(c.dir, 'nope.db')], /no cache at .*nope\.db/],
    ];
    for (const [args, message] of cases) {
      const r = await withKey(c.key, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const wrong = await withKey(newKey(), 'journal', '--cache', c.path, '--verify');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/wrong cache key/);
  });
});
