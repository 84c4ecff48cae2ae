/** custos keygen / seal / verify --store / proof --store on folder stores. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTreeHasher } from '../../shared/tlog/hasher';
import { verifyInclusion } from '../../shared/tlog/merkle';
import { openCheckpoint } from '../../shared/tlog/checkpoint';
import { parseTlogProof } from '../../shared/tlog/proofFile';
import { parseVerifierKey } from '../../shared/tlog/note';
import { utf8 } from '../../shared/bytes';
import { canonicalJson } from '../../shared/entry/json';
import { nodeCrypto } from '../../main/crypto/nodeCrypto';
import { readLogKey } from '../../main/tlog/keys';
import { sealEntries } from '../../main/tlog/seal';
import { FolderStorage } from '../../main/tlog/storage';
import { custos, event, tempDir, writeEvents } from '../helpers/cli';

const hasher = createTreeHasher(nodeCrypto.sha256);
let dir: string;
let key: string;
let pub: string;

beforeAll(async () => {
  dir = tempDir();
  expect(
    (await custos('keygen', '--origin', 'test.example/log', '--out', join(dir, 'log'))).code,
  ).toBe(0);
  key = join(dir, 'log.key');
  pub = join(dir, 'log.pub');
});

const rootOf = (store: string) => readFileSync(join(store, 'checkpoint'), 'utf8').split('\n')[2];

describe('custos keygen', () => {
  it('writes a 0600 private key and a verifier key, and never overwrites them', async () => {
    expect(readdirSync(dir).sort()).toEqual(['log.key', 'log.pub']);
    const { statSync } = await import('node:fs');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(readFileSync(key, 'utf8')).toMatch(/^PRIVATE\+KEY\+test\.example\/log\+[0-9a-f]{8}\+/);
    expect(() => parseVerifierKey(nodeCrypto, readFileSync(pub, 'utf8'))).not.toThrow();
    const again = await custos('keygen', '--origin', 'x', '--out', join(dir, 'log'));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/log\.key already exists/);
  });
});

describe('custos seal and verify --store', () => {
  it('seals, appends across partial tiles, and matches a store sealed in one go', async () => {
    const inc = join(dir, 'inc');
    for (const [from, count] of [
      [0, 300],
      [300, 300],
      [600, 1],
      [601, 66000],
    ]) {
      const input = writeEvents(dir, `in-${from}.jsonl`, from, count);
      const r = await custos('seal', '--store', inc, '--key', key, input);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const once = join(dir, 'once');
    const all = [0, 300, 600, 601].map((f) => join(dir, `in-${f}.jsonl`));
    expect((await custos('seal', '--store', once, '--key', key, ...all)).code).toBe(0);
    expect(rootOf(inc)).toBe(rootOf(once));
    const v = await custos('verify', '--store', inc, '--trust', pub);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/entries: +66601/);
    expect(v.stdout).toMatch(/segments: 261 \(261 verified, 0 failed\)/);
    expect(v.stdout).toMatch(/origin: +test\.example\/log/);
    expect(v.stdout).toContain(rootOf(inc));
    expect(existsSync(join(inc, 'tile/2/000.p/1'))).toBe(true);
  });

  it('prints a tlog-proof that verifies against the entry and the checkpoint', async () => {
    const store = join(dir, 'inc');
    const r = await custos('proof', '--store', store, '--entry', '65600', '--trust', pub);
    expect(r.code).toBe(0);
    const proof = parseTlogProof(r.stdout);
    const { checkpoint } = openCheckpoint(nodeCrypto, proof.checkpoint, [
      parseVerifierKey(nodeCrypto, readFileSync(pub, 'utf8')),
    ]);
    const entry = utf8(canonicalJson({ kind: 'custos.audit/v1', ...event(65600) } as never));
    verifyInclusion(
      hasher,
      proof.index,
      checkpoint.size,
      hasher.leafHash(entry),
      proof.proof,
      checkpoint.root,
    );
    expect(proof.index).toBe(65600);
    const beyond = await custos('proof', '--store', store, '--entry', '66601');
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toMatch(/entry 66601 is beyond the log's size 66601/);
  });

  it('leaves a store that verifies at its last checkpoint after a crash, and the next seal completes', async () => {
    const store = join(dir, 'crash');
    const logKey = await readLogKey(key);
    const encode = (from: number, n: number) =>
      Array.from({ length: n }, (_, k) =>
        utf8(canonicalJson({ kind: 'custos.audit/v1', ...event(from + k) } as never)),
      );
    await sealEntries(new FolderStorage(store), logKey, encode(0, 500));
    const before = rootOf(store);
    await expect(
      sealEntries(new FolderStorage(store), logKey, encode(500, 700), {
        beforeCheckpoint: () => {
          throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(rootOf(store)).toBe(before);
    expect((await custos('verify', '--store', store, '--trust', pub)).code).toBe(0);
    // The next seal brings other entries than the crashed one: the uncommitted files are replaced.
    await sealEntries(new FolderStorage(store), logKey, encode(9000, 700));
    const fresh = join(dir, 'crash-fresh');
    await sealEntries(new FolderStorage(fresh), logKey, [...encode(0, 500), ...encode(9000, 700)]);
    expect(rootOf(store)).toBe(rootOf(fresh));
    expect((await custos('verify', '--store', store, '--trust', pub)).code).toBe(0);
  });

  it('refuses to append with a key that did not sign the store', async () => {
    const other = join(dir, 'other');
    await custos('keygen', '--origin', 'test.example/log', '--out', other);
    const store = join(dir, 'inc');
    const before = readFileSync(join(store, 'checkpoint'), 'utf8');
    const r = await custos(
      'seal',
      '--store',
      store,
      '--key',
      `${other}.key`,
      join(dir, 'in-0.jsonl'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/checkpoint.*no signature by a trusted key/);
    expect(readFileSync(join(store, 'checkpoint'), 'utf8')).toBe(before);
  });

  it('reports bad input with file and line and writes nothing', async () => {
    const store = join(dir, 'bad');
    const input = join(dir, 'bad.jsonl');
    const good = JSON.stringify(event(1));
    const huge = JSON.stringify(
      event(2, { reason: 'x'.repeat(4000), attributes: { blob: 'y'.repeat(70000) } }),
    );
    writeFileSync(
      input,
      [
        good,
        '{"id": "e", "id": "dup"}',
        good,
        'not json',
        huge,
        JSON.stringify({ ...event(3), category: 'nope' }),
      ].join('\n'),
    );
    const r = await custos('seal', '--store', store, '--key', key, input);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${input}:2: not valid JSON: duplicate key "id"`);
    expect(r.stderr).toContain(`${input}:4: not valid JSON`);
    expect(r.stderr).toMatch(new RegExp(`${input}:5: .*65535`));
    expect(r.stderr).toContain(`${input}:6: category`);
    expect(r.stderr).toMatch(/4 bad record\(s\); nothing was sealed/);
    expect(existsSync(store)).toBe(false);
  });

  it('names input files that are missing, not files, or corrupt gzip, and seals nothing', async () => {
    const { gzipSync } = await import('node:zlib');
    const corrupt = join(dir, 'corrupt.jsonl.gz');
    writeFileSync(corrupt, gzipSync(Buffer.from(JSON.stringify(event(1)) + '\n')).subarray(0, 20));
    const store = join(dir, 'never');
    const r = await custos(
      'seal',
      '--store',
      store,
      '--key',
      key,
      join(dir, 'missing.jsonl'),
      corrupt,
      dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'missing.jsonl')}: cannot read the file: ENOENT`);
    expect(r.stderr).toContain(`${corrupt}: cannot read the file: unexpected end of file`);
    expect(r.stderr).toContain(`${dir}: cannot read the file: not a file`);
    expect(existsSync(store)).toBe(false);
  });

  it('gives usage errors exit code 2 with one clear line', async () => {
    for (const args of [
      ['seal'],
      ['verify'],
      ['verify', '--store', dir],
      ['frobnicate'],
      ['seal', '--store', dir, '--key', key, '--format', 'xml', 'a'],
    ]) {
      const r = await custos(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
