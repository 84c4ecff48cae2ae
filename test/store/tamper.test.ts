/**
 * Tamper detection: seal a store, alter it one way at a time, and check that `custos verify`
 * exits 1 and names the right segment, entry and file, while the untouched store verifies.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeEntryBundle, parseEntryBundle } from '../../shared/tlog/tiles';
import { fromBase64, toBase64 } from '../../shared/bytes';
import type { StoreVerifyReport } from '../../main/tlog/verifyStore';
import { custos, tempDir, writeEvents } from '../helpers/cli';

let dir: string;
let pristine: string;
let pub: string;
let key: string;
// 1000 entries: segments 0-2 full, segment 3 partial (232 entries).
const SIZE = 1000;

beforeAll(async () => {
  dir = tempDir();
  await custos('keygen', '--origin', 'tamper.example/log', '--out', join(dir, 'log'));
  key = join(dir, 'log.key');
  pub = join(dir, 'log.pub');
  pristine = join(dir, 'pristine');
  expect(
    (await custos('seal', '--store', pristine, '--key', key, writeEvents(dir, 'in.jsonl', 0, SIZE)))
      .code,
  ).toBe(0);
});

let n = 0;
function copy(): string {
  const store = join(dir, `t${n++}`);
  cpSync(pristine, store, { recursive: true });
  return store;
}

function editBundle(store: string, path: string, edit: (entries: Uint8Array[]) => Uint8Array[]) {
  const file = join(store, path);
  writeFileSync(
    file,
    encodeEntryBundle(
      edit(parseEntryBundle(new Uint8Array(readFileSync(file))).map((e) => e.slice())),
    ),
  );
}

function flipByte(file: string, offset: number) {
  const data = readFileSync(file);
  data[offset] ^= 0x01;
  writeFileSync(file, data);
}

async function verify(store: string) {
  const r = await custos('verify', '--store', store, '--trust', pub, '--json');
  const report = JSON.parse(r.stdout) as StoreVerifyReport;
  return { ...r, report };
}

function expectProblem(
  report: StoreVerifyReport,
  want: { segment?: number; entry?: number; path?: string; message?: RegExp },
) {
  const found = report.problems.find(
    (p) =>
      (want.segment === undefined || p.segment === want.segment) &&
      (want.entry === undefined || p.entry === want.entry) &&
      (want.path === undefined || p.path === want.path) &&
      (want.message === undefined || want.message.test(p.message)),
  );
  expect(
    found,
    `expected ${JSON.stringify(want)} in ${JSON.stringify(report.problems, null, 1)}`,
  ).toBeDefined();
  const failed = report.segments.filter((s) => !s.ok).map((s) => s.segment);
  if (want.segment !== undefined) expect(failed).toContain(want.segment);
}

describe('tamper detection', () => {
  it('the untouched store verifies', async () => {
    const r = await verify(pristine);
    expect(r.code).toBe(0);
    expect(r.report.ok).toBe(true);
    expect(r.report.segments).toHaveLength(4);
    expect(r.report.size).toBe(SIZE);
  });

  it('one byte of an entry changed', async () => {
    const s = copy();
    editBundle(s, 'tile/entries/001', (es) => {
      es[10][20] ^= 1;
      return es;
    });
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, {
      segment: 1,
      entry: 266,
      path: 'tile/entries/001',
      message: /altered/,
    });
    expect(r.report.problems).toHaveLength(1);
    expect(r.stderr).toMatch(/segment 1, entry 266, tile\/entries\/001/);
  });

  it('an entry deleted', async () => {
    const s = copy();
    editBundle(s, 'tile/entries/002', (es) => es.filter((_, i) => i !== 5));
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, { segment: 2, entry: 517, path: 'tile/entries/002' });
    expectProblem(r.report, { segment: 2, message: /holds 255 entries, expected 256/ });
  });

  it('an entry inserted', async () => {
    const s = copy();
    editBundle(s, 'tile/entries/000', (es) => [...es.slice(0, 3), es[100], ...es.slice(3)]);
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, { segment: 0, entry: 3, path: 'tile/entries/000' });
    expectProblem(r.report, { segment: 0, message: /holds 257 entries, expected 256/ });
  });

  it('two entries swapped', async () => {
    const s = copy();
    editBundle(s, 'tile/entries/001', (es) => {
      [es[7], es[9]] = [es[9], es[7]];
      return es;
    });
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, { segment: 1, entry: 263 });
    expectProblem(r.report, { segment: 1, entry: 265 });
    expect(r.report.problems).toHaveLength(2);
  });

  it('a bundle truncated', async () => {
    const s = copy();
    const file = join(s, 'tile/entries/002');
    const data = readFileSync(file);
    writeFileSync(file, data.subarray(0, data.length - 10));
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, {
      segment: 2,
      entry: 767,
      path: 'tile/entries/002',
      message: /damaged/,
    });
  });

  it('a bundle deleted', async () => {
    const s = copy();
    rmSync(join(s, 'tile/entries/001'));
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, {
      segment: 1,
      entry: 256,
      path: 'tile/entries/001',
      message: /missing/,
    });
  });

  it('a bundle replaced by a re-sealed one', async () => {
    const other = join(dir, 'resealed');
    await custos(
      'seal',
      '--store',
      other,
      '--key',
      key,
      writeEvents(dir, 'other.jsonl', 5000, 600),
    );
    const s = copy();
    cpSync(join(other, 'tile/entries/001'), join(s, 'tile/entries/001'));
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, {
      segment: 1,
      entry: 256,
      path: 'tile/entries/001',
      message: /altered/,
    });
    expectProblem(r.report, { segment: 1, message: /and 246 more entries/ });
  });

  it('a bundle with trailing garbage', async () => {
    const s = copy();
    const file = join(s, 'tile/entries/003.p/232');
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from([0x41])]));
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, {
      segment: 3,
      entry: 1000,
      path: 'tile/entries/003.p/232',
      message: /trailing data after entry 231/,
    });
  });

  it('a level-0 hash tile changed', async () => {
    const s = copy();
    flipByte(join(s, 'tile/0/001'), 32 * 40 + 3);
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, {
      segment: 1,
      entry: 296,
      path: 'tile/0/001',
      message: /hash tile was altered/,
    });
    expect(r.report.problems.every((p) => p.path === 'tile/0/001')).toBe(true);
  });

  it('a level-1 hash tile changed', async () => {
    const s = copy();
    flipByte(join(s, 'tile/1/000.p/3'), 32 * 2);
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, {
      segment: 2,
      path: 'tile/1/000.p/3',
      message: /hash 2 \(entries 512\.\.767\)/,
    });
  });

  it("the checkpoint's root changed", async () => {
    const s = copy();
    const file = join(s, 'checkpoint');
    const lines = readFileSync(file, 'utf8').split('\n');
    const root = fromBase64(lines[2]);
    root[0] ^= 1;
    lines[2] = toBase64(root);
    writeFileSync(file, lines.join('\n'));
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, {
      path: 'checkpoint',
      message: /signature by tamper\.example\/log\+[0-9a-f]{8} does not verify/,
    });
    expectProblem(r.report, {
      path: 'checkpoint',
      message: /hashes to .*, not to the checkpoint's root/,
    });
  });

  it("the checkpoint's size changed", async () => {
    const s = copy();
    const file = join(s, 'checkpoint');
    writeFileSync(file, readFileSync(file, 'utf8').replace(`\n${SIZE}\n`, `\n${SIZE - 1}\n`));
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, { path: 'checkpoint', message: /does not verify/ });
  });

  it('the checkpoint re-signed by another key', async () => {
    const other = join(dir, 'impostor');
    await custos('keygen', '--origin', 'tamper.example/log', '--out', other);
    const s = join(dir, 'impostor-store');
    await custos('seal', '--store', s, '--key', `${other}.key`, join(dir, 'in.jsonl'));
    expect(readFileSync(join(s, 'checkpoint'), 'utf8').split('\n')[2]).toBe(
      readFileSync(join(pristine, 'checkpoint'), 'utf8').split('\n')[2],
    );
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, {
      path: 'checkpoint',
      message: /no signature by a trusted key \(signed by: tamper\.example\/log\+/,
    });
  });

  it('a checkpoint that is missing or garbage', async () => {
    const s = copy();
    rmSync(join(s, 'checkpoint'));
    expect((await verify(s)).code).toBe(1);
    writeFileSync(join(s, 'checkpoint'), '\u0000garbage');
    const r = await verify(s);
    expect(r.code).toBe(1);
    expectProblem(r.report, { path: 'checkpoint', message: /control character/ });
  });
});
