/**
 * BagIt export bundles: writeBag output must satisfy both our strict reader and an independent
 * Python validator, and every kind of tampering must be refused by both, naming the file.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BagFile } from '../../main/cases/bagit';
import { BAGIT_VERSION, BagError, readBag, writeBag } from '../../main/cases/bagit';
import { REPO } from '../helpers/paths';

const VALIDATOR = join(REPO, 'test', 'helpers', 'bagit_validate.py');
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

let root: string;
let newlineNames = false;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'custos-bagit-'));
  // Not every file system allows a line break in a name; use one only where it does.
  try {
    await writeFile(join(root, 'probe\nname'), '');
    await unlink(join(root, 'probe\nname'));
    newlineNames = true;
  } catch {
    newlineNames = false;
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
const freshDir = () => join(root, `bag-${++counter}`);

/** Runs the Python validator; its exit code and everything it printed. */
function pyValidate(dir: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile('python3', [VALIDATOR, dir], { encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      done({ code, out: stdout + stderr });
    });
  });
}

async function refusal(dir: string): Promise<BagError> {
  const error = await readBag(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'readBag accepted a tampered bag').toBeInstanceOf(BagError);
  return error as BagError;
}

/** Both readers refuse the bag, and both name `file`. */
async function expectRefused(dir: string, file: string, message: RegExp): Promise<BagError> {
  const error = await refusal(dir);
  expect(error.name).toBe('BagError');
  expect(error.file).toBe(file);
  expect(error.message).toContain(file);
  expect(error.message).toMatch(message);
  const py = await pyValidate(dir);
  expect(py.out).not.toMatch(/Traceback/);
  expect(py.code, py.out).toBe(1);
  expect(py.out).toContain(file);
  return error;
}

/** Every file and folder of a tree, relative to it. */
async function walk(dir: string, rel = ''): Promise<Array<{ path: string; dir: boolean }>> {
  const out: Array<{ path: string; dir: boolean }> = [];
  for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    out.push({ path, dir: entry.isDirectory() });
    if (entry.isDirectory()) out.push(...(await walk(dir, path)));
  }
  return out;
}

/** What a forger who knows the format would do: make the tag manifest agree with `name` again. */
async function rehashTagManifest(dir: string, name: string): Promise<void> {
  const path = join(dir, 'tagmanifest-sha256.txt');
  const hash = sha256(await readFile(join(dir, name)));
  const lines = (await readFile(path, 'utf8')).split('\n');
  const i = lines.findIndex((l) => l.endsWith(`  ${name}`));
  expect(i, `${name} in tagmanifest`).toBeGreaterThanOrEqual(0);
  lines[i] = `${hash}  ${name}`;
  await writeFile(path, lines.join('\n'));
}

const INFO: Array<[string, string]> = [
  ['Source-Organization', 'Acme Compliance GmbH'],
  ['Case-Title', 'Q3 VAT review: “Zürich” office, 100% of invoices'],
  ['External-Description', 'A long description that is not folded. '.repeat(6).trim()],
];

/** A small bag that tampering tests can spoil. */
async function smallBag(): Promise<string> {
  const dir = freshDir();
  await writeBag(
    dir,
    [
      { path: 'evidence/invoice.pdf', data: utf8('%PDF-1.7 invoice 4711') },
      { path: 'notes.txt', data: utf8('checked by the auditor\n') },
    ],
    { info: INFO, tagFiles: [{ path: 'custos/case.json', data: utf8('{"case":"C-1"}') }] },
  );
  expect((await pyValidate(dir)).code).toBe(0);
  return dir;
}

describe('writeBag and readBag round trip', () => {
  it('keeps unusual names, an empty file and a 5 MB file, and both readers accept the bag', async () => {
    const big = randomBytes(5 * 1024 * 1024);
    const payload: BagFile[] = [
      { path: 'evidence/invoice 2024-07.pdf', data: utf8('%PDF-1.7 …') },
      { path: 'unicodé/日本語 レポート.txt', data: utf8('監査') },
      { path: '100% sure.txt', data: utf8('percent') },
      { path: 'literal %0A and %25.txt', data: utf8('looks encoded, is not') },
      { path: 'empty.txt', data: new Uint8Array(0) },
      { path: 'big/five-megabytes.bin', data: big },
    ];
    if (newlineNames) {
      payload.push({ path: 'line\nbreak.txt', data: utf8('LF') });
      payload.push({ path: 'carriage\rreturn.txt', data: utf8('CR') });
    }
    const tagFiles = [{ path: 'custos/case.json', data: utf8('{"case":"C-7"}') }];
    const dir = freshDir();

    const written = await writeBag(dir, payload, { info: INFO, tagFiles });

    const octets = payload.reduce((n, f) => n + f.data.byteLength, 0);
    expect(written).toEqual({ oxum: `${octets}.${payload.length}`, files: payload.length });
    const bag = await readBag(dir);
    expect([...bag.payload.keys()].sort()).toEqual(payload.map((f) => f.path).sort());
    for (const file of payload) {
      const read = bag.payload.get(file.path);
      expect(read, file.path).toBeDefined();
      expect(Buffer.from(read!).equals(Buffer.from(file.data)), file.path).toBe(true);
    }
    expect(bag.info.slice(0, INFO.length)).toEqual(INFO);
    expect(bag.info.slice(INFO.length)).toEqual([
      ['Bagging-Date', new Date().toISOString().slice(0, 10)],
      ['Payload-Oxum', written.oxum],
    ]);
    expect([...bag.tagFiles]).toEqual([['custos/case.json', tagFiles[0].data]]);

    expect(await readFile(join(dir, 'bagit.txt'), 'utf8')).toBe(
      `BagIt-Version: ${BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n`,
    );
    const manifest = await readFile(join(dir, 'manifest-sha256.txt'), 'utf8');
    expect(manifest).toContain(`${sha256('percent')}  data/100%25 sure.txt\n`);
    expect(manifest).toContain('  data/literal %250A and %2525.txt\n');
    expect(manifest).toContain(`${sha256('')}  data/empty.txt\n`);
    if (newlineNames) {
      expect(manifest).toContain('  data/line%0Abreak.txt\n');
      expect(manifest).toContain('  data/carriage%0Dreturn.txt\n');
    }
    const tagManifest = await readFile(join(dir, 'tagmanifest-sha256.txt'), 'utf8');
    expect(
      tagManifest
        .trim()
        .split('\n')
        .map((l) => l.split('  ')[1]),
    ).toEqual(['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt', 'custos/case.json']);

    const py = await pyValidate(dir);
    expect(py).toEqual({ code: 0, out: 'valid\n' });
  });

  it('writes files 0600 and folders 0700, and leaves no staging folder behind', async () => {
    if (process.platform === 'win32') return;
    const dir = await smallBag();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const entry of await walk(dir)) {
      expect((await stat(join(dir, entry.path))).mode & 0o777, entry.path).toBe(
        entry.dir ? 0o700 : 0o600,
      );
    }
    expect((await readdir(root)).filter((n) => n.includes('partial'))).toEqual([]);
  });

  it('writes an empty payload with its data/ folder, into an existing empty folder', async () => {
    const dir = freshDir();
    await mkdir(dir);
    expect(await writeBag(dir, [], { info: [] })).toEqual({ oxum: '0.0', files: 0 });
    expect((await stat(join(dir, 'data'))).isDirectory()).toBe(true);
    const bag = await readBag(dir);
    expect(bag.payload.size).toBe(0);
    expect((await pyValidate(dir)).code).toBe(0);
  });

  it('reads a bag from another tool: CRLF lines, a folded value, upper-case hex', async () => {
    const dir = freshDir();
    await mkdir(join(dir, 'data'), { recursive: true });
    const files: Record<string, string> = {
      'bagit.txt': 'BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n',
      'data/a.txt': 'hello',
      'bag-info.txt': 'External-Description: first part\r\n  second part\r\nPayload-Oxum: 5.1\r\n',
    };
    files['manifest-sha256.txt'] = `${sha256('hello').toUpperCase()}\tdata/a.txt\r\n`;
    files['tagmanifest-sha256.txt'] = ['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt']
      .map((name) => `${sha256(files[name])} ${name}\r\n`)
      .join('');
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);

    const bag = await readBag(dir);
    expect(bag.info).toEqual([
      ['External-Description', 'first part second part'],
      ['Payload-Oxum', '5.1'],
    ]);
    expect(Buffer.from(bag.payload.get('a.txt')!).toString()).toBe('hello');
    expect((await pyValidate(dir)).code).toBe(0);
  });
});

describe('tampering is refused by readBag and by the Python validator', () => {
  it('a changed payload byte', async () => {
    const dir = await smallBag();
    const path = join(dir, 'data/evidence/invoice.pdf');
    const data = await readFile(path);
    const before = sha256(data);
    data[3] ^= 0x01;
    await writeFile(path, data);
    const error = await expectRefused(
      dir,
      'data/evidence/invoice.pdf',
      /the file was changed after the bag was made/,
    );
    expect(error.message).toContain(`manifest-sha256.txt says ${before}`);
    expect(error.message).toContain(`its SHA-256 is ${sha256(data)}`);
  });

  it('an added payload file', async () => {
    const dir = await smallBag();
    await writeFile(join(dir, 'data/evidence/extra.pdf'), 'planted');
    await expectRefused(dir, 'data/evidence/extra.pdf', /not in manifest-sha256\.txt.*added/);
  });

  it('a removed payload file', async () => {
    const dir = await smallBag();
    await unlink(join(dir, 'data/notes.txt'));
    await expectRefused(dir, 'data/notes.txt', /lists this file but it is not in the bag/);
  });

  it('a removed manifest line: the tag manifest notices the edited manifest', async () => {
    const dir = await smallBag();
    const path = join(dir, 'manifest-sha256.txt');
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, lines.filter((l) => !l.endsWith('data/notes.txt')).join('\n'));
    await expectRefused(dir, 'manifest-sha256.txt', /tagmanifest-sha256\.txt says.*changed/);
  });

  it('a removed manifest line, with the tag manifest forged to match', async () => {
    const dir = await smallBag();
    const path = join(dir, 'manifest-sha256.txt');
    const lines = (await readFile(path, 'utf8')).split('\n');
    await writeFile(path, lines.filter((l) => !l.endsWith('data/notes.txt')).join('\n'));
    await rehashTagManifest(dir, 'manifest-sha256.txt');
    await expectRefused(dir, 'data/notes.txt', /not in manifest-sha256\.txt/);
  });

  it('a changed bag-info.txt that no longer matches the tag manifest', async () => {
    const dir = await smallBag();
    await appendFile(join(dir, 'bag-info.txt'), 'Contact-Name: Mallory\n');
    await expectRefused(dir, 'bag-info.txt', /tagmanifest-sha256\.txt says.*changed/);
  });

  it('a wrong Payload-Oxum, with the tag manifest forged to match', async () => {
    const dir = await smallBag();
    const path = join(dir, 'bag-info.txt');
    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/^Payload-Oxum: \d+\.2$/m);
    await writeFile(path, text.replace(/^Payload-Oxum: (\d+)\.2$/m, 'Payload-Oxum: $1.3'));
    await rehashTagManifest(dir, 'bag-info.txt');
    await expectRefused(dir, 'bag-info.txt', /Payload-Oxum says \d+ bytes in 3 files/);
  });

  it('a symbolic link in data/', async () => {
    if (process.platform === 'win32') return;
    const dir = await smallBag();
    await symlink('../bagit.txt', join(dir, 'data/link.txt'));
    await expectRefused(dir, 'data/link.txt', /symbolic link/);
  });

  it('a manifest path with ../, with the tag manifest forged to match', async () => {
    const dir = await smallBag();
    const hash = sha256(await readFile(join(dir, 'bagit.txt')));
    await appendFile(join(dir, 'manifest-sha256.txt'), `${hash}  data/../bagit.txt\n`);
    await rehashTagManifest(dir, 'manifest-sha256.txt');
    const error = await expectRefused(dir, 'manifest-sha256.txt', /line 3: .*"\.\."/);
    expect(error.message).toContain('data/../bagit.txt');
  });

  it('a tag file added after the bag was made', async () => {
    const dir = await smallBag();
    await writeFile(join(dir, 'custos/approval.txt'), 'approved');
    await expectRefused(dir, 'custos/approval.txt', /not listed in tagmanifest-sha256\.txt/);
  });

  it('a changed extra tag file', async () => {
    const dir = await smallBag();
    await writeFile(join(dir, 'custos/case.json'), '{"case":"C-2"}');
    await expectRefused(dir, 'custos/case.json', /tagmanifest-sha256\.txt says.*changed/);
  });

  it('a malformed manifest line, named by line number', async () => {
    const dir = await smallBag();
    await appendFile(join(dir, 'manifest-sha256.txt'), 'not a checksum line\n');
    await rehashTagManifest(dir, 'manifest-sha256.txt');
    await expectRefused(dir, 'manifest-sha256.txt', /manifest-sha256\.txt, line 3: expected/);
  });

  it('a wrong BagIt version', async () => {
    const dir = await smallBag();
    await writeFile(
      join(dir, 'bagit.txt'),
      'BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n',
    );
    await rehashTagManifest(dir, 'bagit.txt');
    await expectRefused(dir, 'bagit.txt', /version 0\.97; only version 1\.0/);
  });

  it('a missing manifest', async () => {
    const dir = await smallBag();
    await unlink(join(dir, 'manifest-sha256.txt'));
    await expectRefused(dir, 'manifest-sha256.txt', /not in the bag/);
  });
});

describe('writeBag refuses what it cannot write safely, and writes nothing then', () => {
  const leftovers = async () => (await readdir(root)).filter((n) => n.includes('partial'));

  it.each([
    ['/etc/passwd', /absolute/],
    ['../escape.txt', /climbs out/],
    ['a/../../b.txt', /climbs out/],
    ['a//b.txt', /empty folder name/],
    ['a/', /empty folder name/],
    ['', /is empty/],
    ['./a.txt', /"\." folder name/],
    ['a\\b.txt', /backslash/],
    ['a\0b.txt', /NUL/],
  ])('payload path %j', async (path, message) => {
    const dir = freshDir();
    const write = writeBag(dir, [{ path, data: utf8('x') }], { info: [] });
    await expect(write).rejects.toThrow(BagError);
    await expect(write).rejects.toThrow(message);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
    expect(await leftovers()).toEqual([]);
  });

  it('duplicate payload paths, also when only their case differs', async () => {
    const data = utf8('x');
    await expect(
      writeBag(
        freshDir(),
        [
          { path: 'a.txt', data },
          { path: 'a.txt', data },
        ],
        { info: [] },
      ),
    ).rejects.toThrow(/data\/a\.txt appears twice/);
    await expect(
      writeBag(
        freshDir(),
        [
          { path: 'A.txt', data },
          { path: 'a.txt', data },
        ],
        { info: [] },
      ),
    ).rejects.toThrow(/would overwrite data\/A\.txt/);
    await expect(
      writeBag(
        freshDir(),
        [
          { path: 'a', data },
          { path: 'a/b', data },
        ],
        { info: [] },
      ),
    ).rejects.toThrow(/both a file and a folder/);
  });

  it('a target folder that is not empty, naming it and leaving its content alone', async () => {
    const dir = freshDir();
    await mkdir(dir);
    await writeFile(join(dir, 'keep.txt'), 'mine');
    const error = await writeBag(dir, [{ path: 'a.txt', data: utf8('x') }], { info: [] }).then(
      () => undefined,
      (e: unknown) => e as BagError,
    );
    expect(error).toBeInstanceOf(BagError);
    expect(error!.file).toBe(dir);
    expect(error!.message).toContain(`${dir} is not empty`);
    expect(await readdir(dir)).toEqual(['keep.txt']);
    expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
    await expect(writeBag(join(dir, 'keep.txt'), [], { info: [] })).rejects.toThrow(/not a folder/);
  });

  it.each<[string, Array<[string, string]>, RegExp]>([
    ['a line break in a value', [['Note', 'one\ntwo']], /line break/],
    ['a colon in a label', [['Bad:Label', 'x']], /label must be/],
    ['a label with a leading blank', [[' Label', 'x']], /label must be/],
    ['a Payload-Oxum of its own', [['Payload-Oxum', '1.1']], /computed by the bag writer/],
  ])('bag-info with %s', async (_what, info, message) => {
    await expect(writeBag(freshDir(), [], { info })).rejects.toThrow(message);
  });

  it.each(['bagit.txt', 'manifest-md5.txt', 'data/x.txt', 'Tagmanifest-sha256.txt', '../x'])(
    'tag file %j',
    async (path) => {
      await expect(
        writeBag(freshDir(), [], { info: [], tagFiles: [{ path, data: utf8('x') }] }),
      ).rejects.toThrow(BagError);
    },
  );

  it('a write that fails half-way leaves neither the bag nor a staging folder', async () => {
    const dir = freshDir();
    // A name longer than file systems allow fails only when written, after a.txt was.
    const tooLong = 'x'.repeat(300);
    const error = await writeBag(
      dir,
      [
        { path: 'a.txt', data: utf8('written first') },
        { path: tooLong, data: utf8('fails') },
      ],
      { info: [] },
    ).then(
      () => undefined,
      (e: unknown) => e as BagError,
    );
    expect(error).toBeInstanceOf(BagError);
    expect(error!.file).toBe(`data/${tooLong}`);
    expect(error!.message).toMatch(/cannot be written/);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
    expect(await leftovers()).toEqual([]);
  });
});
