/**
 * BagIt (RFC 8493, version 1.0) for case export bundles: a writer that builds the bag beside its
 * destination and renames it into place, and a strict reader that refuses any bag it cannot fully
 * vouch for.
 *
 * Decisions, so that a bag from Custos reads the same everywhere:
 * - SHA-256 only: `manifest-sha256.txt` and `tagmanifest-sha256.txt` are written and required;
 *   the reader refuses a bag with manifests for other algorithms, or with `fetch.txt`, rather
 *   than silently checking less than the bag claims.
 * - `bag-info.txt` values are never folded: the RFC only recommends 79-character lines, and
 *   readers disagree on what a folded value unfolds to, so one element is one line. The reader
 *   still accepts folded values from other tools, joining the lines with one space.
 * - Manifest paths percent-encode exactly `%`, CR and LF (RFC 8493 §2.1.3); the reader refuses any
 *   other `%` sequence as malformed.
 * - The reader requires `bag-info.txt` with a `Payload-Oxum` and a tag manifest that covers every
 *   tag file: optional in the RFC, but without them an edited `bag-info.txt` or manifest could
 *   pass unnoticed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** The BagIt version this module writes and the only one its reader accepts. */
export const BAGIT_VERSION = '1.0';

const BAGIT_TXT = `BagIt-Version: ${BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n`;
const MANIFEST = 'manifest-sha256.txt';
const TAG_MANIFEST = 'tagmanifest-sha256.txt';
const BAG_INFO = 'bag-info.txt';
const DATA = 'data';
/** Labels writeBag computes itself; a caller supplying them would contradict the bag. */
const COMPUTED_LABELS = ['bagging-date', 'payload-oxum'];
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** A file to put in a bag: a relative POSIX path (`evidence/invoice.pdf`) and its bytes. */
export interface BagFile {
  path: string;
  data: Uint8Array;
}

/** What goes into a bag besides its payload. */
export interface WriteBagOptions {
  /**
   * `bag-info.txt` elements in order, e.g. `['Source-Organization', 'Acme']`. `Bagging-Date` and
   * `Payload-Oxum` are added by writeBag and may not be given. Labels may not contain `:`, CR or
   * LF, nor start or end with whitespace; values may not contain CR or LF.
   */
  info: Array<[string, string]>;
  /** Extra tag files, relative to the bag (not under `data/`), covered by the tag manifest. */
  tagFiles?: BagFile[];
}

/** What writeBag made. */
export interface WrittenBag {
  /** The Payload-Oxum written to `bag-info.txt`: `<octets>.<file count>`. */
  oxum: string;
  /** Number of payload files. */
  files: number;
}

/** The verified content of a bag. */
export interface ReadBag {
  /** `bag-info.txt` elements in file order, including `Bagging-Date` and `Payload-Oxum`. */
  info: Array<[string, string]>;
  /** Payload bytes keyed by path under `data/` (`evidence/invoice.pdf`). */
  payload: Map<string, Uint8Array>;
  /**
   * Extra tag files keyed by path relative to the bag; the bag's own files (`bagit.txt`,
   * `bag-info.txt` and the manifests) are not included.
   */
  tagFiles: Map<string, Uint8Array>;
}

/**
 * Why a bag was refused (by readBag) or could not be made (by writeBag). The message is meant to
 * be shown to an auditor as is.
 */
export class BagError extends Error {
  override name = 'BagError';
  /**
   * The offending file relative to the bag (`data/evidence/invoice.pdf`, `manifest-sha256.txt`),
   * or `.` for the bag folder itself. From writeBag: the offending path as given, its place in
   * the bag, or the target folder as given.
   */
  readonly file: string;

  constructor(file: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.file = file;
  }
}

// ---------------------------------------------------------------------------------------------
// Shared helpers

/** Shows a path as is, or quoted with escapes when it holds characters that would not print. */
function show(path: string): string {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(path) ? JSON.stringify(path) : path;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Why a relative POSIX path is unsafe to write or follow, or undefined when it is fine. */
function pathProblem(path: string): string | undefined {
  if (path === '') return 'is empty';
  if (path.includes('\0')) return 'contains a NUL character';
  if (path.includes('\\')) return 'contains a backslash (folders must be separated by "/")';
  if (path.startsWith('/')) return 'is absolute (it must be relative to the bag)';
  if (/\p{Surrogate}/u.test(path)) return 'is not valid Unicode';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty folder name ("//", or "/" at the end)';
    if (segment === '..') return 'climbs out of its folder with ".."';
    if (segment === '.') return 'has a "." folder name';
  }
  return undefined;
}

/** Tag-file names with a meaning of their own in a bag (RFC 8493 §2.1, §2.2). */
function isReservedTagName(path: string): boolean {
  const lower = path.toLowerCase();
  const first = lower.split('/')[0];
  return (
    first === DATA ||
    lower === 'bagit.txt' ||
    lower === BAG_INFO ||
    lower === 'fetch.txt' ||
    /^(tag)?manifest-[^/]*\.txt$/.test(lower)
  );
}

/** RFC 8493 §2.1.3: in manifests, `%`, CR and LF (and only those) are percent-encoded. */
function encodeManifestPath(path: string): string {
  return path.replace(/[%\r\n]/g, (c) => (c === '%' ? '%25' : c === '\r' ? '%0D' : '%0A'));
}

/** The inverse of encodeManifestPath, or undefined when the path holds any other `%` sequence. */
function decodeManifestPath(encoded: string): string | undefined {
  let valid = true;
  const decoded = encoded.replace(/%([0-9A-Fa-f]{2})?/g, (match, hex?: string) => {
    const code = hex?.toUpperCase();
    if (code === '25') return '%';
    if (code === '0D') return '\r';
    if (code === '0A') return '\n';
    valid = false;
    return match;
  });
  return valid ? decoded : undefined;
}

/** Splits tag-file text into lines; LF, CR and CRLF all end a line (RFC 8493 §2.1). */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Writer

/**
 * Writes a BagIt 1.0 bag at `dir`: `bagit.txt`, the payload under `data/`, `bag-info.txt` (the
 * given elements, then `Bagging-Date` in UTC and `Payload-Oxum`), `manifest-sha256.txt`, the extra
 * tag files and `tagmanifest-sha256.txt`. Files are created 0600 and folders 0700.
 *
 * The bag is built in a hidden sibling folder and renamed to `dir` only when complete, so a failed
 * export leaves nothing behind. `dir` must not exist or be an empty folder.
 *
 * @throws BagError when a path or bag-info element is unsafe, or `dir` is in use; nothing is
 * written then.
 */
export async function writeBag(
  dir: string,
  payload: BagFile[],
  opts: WriteBagOptions,
): Promise<WrittenBag> {
  const files = checkFiles(payload, opts.tagFiles ?? []);
  const info = checkInfo(opts.info);
  const target = resolve(dir);
  await checkTarget(dir, target);

  let octets = 0;
  const manifest: string[] = [];
  for (const file of files.payload) {
    octets += file.data.byteLength;
    manifest.push(`${sha256(file.data)}  ${encodeManifestPath(file.path)}\n`);
  }
  const oxum = `${octets}.${files.payload.length}`;
  const baggingDate = new Date().toISOString().slice(0, 10);
  const bagInfo = [...info, ['Bagging-Date', baggingDate], ['Payload-Oxum', oxum]]
    .map(([label, value]) => `${label}: ${value}\n`)
    .join('');

  const tags: BagFile[] = [
    { path: 'bagit.txt', data: Buffer.from(BAGIT_TXT, 'utf8') },
    { path: BAG_INFO, data: Buffer.from(bagInfo, 'utf8') },
    { path: MANIFEST, data: Buffer.from(manifest.join(''), 'utf8') },
    ...files.tags,
  ];
  const tagManifest = tags
    .map((tag) => `${sha256(tag.data)}  ${encodeManifestPath(tag.path)}\n`)
    .join('');

  await mkdir(dirname(target), { recursive: true, mode: DIR_MODE });
  const staging = join(
    dirname(target),
    `.${basename(target)}.partial-${randomBytes(6).toString('hex')}`,
  );
  await mkdir(staging, { mode: DIR_MODE });
  try {
    // An empty payload still needs its data/ folder (RFC 8493 §2).
    await mkdir(join(staging, DATA), { mode: DIR_MODE });
    for (const file of [...files.payload, ...tags]) await writeNewFile(staging, file);
    await writeNewFile(staging, { path: TAG_MANIFEST, data: Buffer.from(tagManifest, 'utf8') });
    await syncDir(staging);
    // POSIX rename replaces an empty folder atomically, and fails if something appeared in it.
    await rename(staging, target);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new BagError(dir, `${dir}: files appeared in this folder while the bag was written`);
    }
    throw e;
  }
  await syncDir(dirname(target));
  return { oxum, files: files.payload.length };
}

/** Validates payload and tag paths; returns them as paths relative to the bag, sorted. */
function checkFiles(payload: BagFile[], tagFiles: BagFile[]) {
  const seen = new Map<string, string>();
  const claim = (path: string, label: string) => {
    // Case-insensitive and Unicode-normalising file systems (macOS, Windows) would merge these.
    const key = path.normalize('NFC').toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      const how =
        earlier === path ? 'appears twice' : `would overwrite ${show(earlier)} on some systems`;
      throw new BagError(path, `${label} ${show(path)} ${how}`);
    }
    seen.set(key, path);
  };
  const check = (file: BagFile, kind: 'payload' | 'tag'): BagFile => {
    const label = kind === 'payload' ? 'payload path' : 'tag file path';
    if (typeof file.path !== 'string')
      throw new BagError(String(file.path), `${label} is not text`);
    const problem = pathProblem(file.path);
    if (problem) throw new BagError(file.path, `${label} ${show(file.path)} ${problem}`);
    if (!(file.data instanceof Uint8Array)) {
      throw new BagError(file.path, `${label} ${show(file.path)}: its content is not bytes`);
    }
    if (kind === 'tag') {
      if (isReservedTagName(file.path)) {
        throw new BagError(file.path, `${label} ${show(file.path)} is a name BagIt reserves`);
      }
      // Manifest lines separate hash and path with whitespace: a leading blank would be lost.
      if (/^[ \t]/.test(file.path)) {
        throw new BagError(file.path, `${label} ${show(file.path)} starts with a blank`);
      }
    }
    const path = kind === 'payload' ? `${DATA}/${file.path}` : file.path;
    claim(path, label);
    return { path, data: file.data };
  };
  const checked = {
    payload: payload.map((f) => check(f, 'payload')),
    tags: tagFiles.map((f) => check(f, 'tag')),
  };
  // "a" and "a/b" cannot both be files.
  for (const path of seen.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (seen.has(folder)) {
        const file = seen.get(folder) ?? folder;
        throw new BagError(file, `${show(file)} is both a file and a folder in this bag`);
      }
    }
  }
  const byPath = (a: BagFile, b: BagFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  checked.payload.sort(byPath);
  checked.tags.sort(byPath);
  return checked;
}

/** Validates bag-info elements (RFC 8493 §2.2.2) without folding them. */
function checkInfo(info: Array<[string, string]>): Array<[string, string]> {
  for (const [label, value] of info) {
    const where = `bag-info.txt label ${show(String(label))}`;
    if (typeof label !== 'string' || typeof value !== 'string') {
      throw new BagError(BAG_INFO, `${where}: labels and values must be text`);
    }
    if (label === '' || /[:\r\n]/.test(label) || /^[ \t]|[ \t]$/.test(label)) {
      throw new BagError(
        BAG_INFO,
        `${where}: a label must be non-empty, without ":" or line breaks, and not start or end with a blank`,
      );
    }
    if (/[\r\n]/.test(value)) {
      throw new BagError(BAG_INFO, `${where}: the value contains a line break`);
    }
    if (/\p{Surrogate}/u.test(label + value)) {
      throw new BagError(BAG_INFO, `${where}: the label or value is not valid Unicode`);
    }
    if (COMPUTED_LABELS.includes(label.toLowerCase())) {
      throw new BagError(BAG_INFO, `${where}: this element is computed by the bag writer`);
    }
  }
  return info;
}

/** Refuses a target that exists and is anything but an empty folder. */
async function checkTarget(dir: string, target: string): Promise<void> {
  let stat;
  try {
    stat = await lstat(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!stat.isDirectory()) {
    throw new BagError(dir, `${dir} already exists and is not a folder: choose another place`);
  }
  if ((await readdir(target)).length > 0) {
    throw new BagError(dir, `${dir} is not empty: a bag must be written to a new or empty folder`);
  }
}

/** Creates a file that must not exist yet, with its folders, and flushes it to disk. */
async function writeNewFile(root: string, file: BagFile): Promise<void> {
  const full = join(root, ...file.path.split('/'));
  try {
    await mkdir(dirname(full), { recursive: true, mode: DIR_MODE });
    const handle = await open(full, 'wx', FILE_MODE);
    try {
      await handle.writeFile(file.data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new BagError(file.path, `${show(file.path)}: cannot be written (${code})`, { cause: e });
  }
}

/** Flushes a folder's entries so the rename survives a crash; not possible on Windows. */
async function syncDir(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Reader

/**
 * Reads and fully verifies the bag at `dir`: `bagit.txt` says BagIt 1.0 in UTF-8; the tag
 * manifest covers every tag file and matches it; every payload file is in the manifest, every
 * manifest line names a file present, and every SHA-256 matches; `Payload-Oxum` matches the
 * payload. Symbolic links, special files and paths that leave the bag are refused.
 *
 * @throws BagError naming the first offending file, with a message meant for an auditor.
 */
export async function readBag(dir: string): Promise<ReadBag> {
  const root = resolve(dir);
  const files = await listBag(dir, root);
  const read = (path: string) => readRegularFile(root, path);

  if (!files.has('bagit.txt')) {
    throw new BagError('bagit.txt', 'bagit.txt is missing: this folder is not a BagIt bag');
  }
  checkBagitTxt(await read('bagit.txt'));
  if (!(await lstat(join(root, DATA)).catch(() => undefined))?.isDirectory()) {
    throw new BagError(DATA, 'data: the payload folder is missing');
  }

  for (const path of files) {
    if (path === 'fetch.txt') {
      throw new BagError(
        path,
        'fetch.txt: this bag is incomplete (it lists files to download); only complete bags are accepted',
      );
    }
    if (/^(tag)?manifest-[^/]*\.txt$/.test(path) && path !== MANIFEST && path !== TAG_MANIFEST) {
      throw new BagError(
        path,
        `${path}: this reader checks SHA-256 manifests only and cannot check this one, so the bag is refused`,
      );
    }
  }
  // The tag manifest first: it tells whether the manifest itself can be trusted.
  if (!files.has(TAG_MANIFEST)) {
    throw new BagError(
      TAG_MANIFEST,
      `${TAG_MANIFEST} is missing, so bag-info.txt and the manifest cannot be checked`,
    );
  }
  const tagEntries = parseManifest(TAG_MANIFEST, await read(TAG_MANIFEST), 'tag');
  const tagFiles = new Map<string, Uint8Array>();
  for (const [path, expected] of tagEntries) {
    if (!files.has(path)) {
      throw new BagError(
        path,
        `${show(path)}: ${TAG_MANIFEST} lists this file but it is not in the bag: it was removed or renamed after the bag was made`,
      );
    }
    const data = await read(path);
    checkHash(path, data, expected, TAG_MANIFEST);
    if (!isReservedTagName(path)) tagFiles.set(path, data);
  }
  for (const path of files) {
    if (path.startsWith(DATA + '/') || path === TAG_MANIFEST || tagEntries.has(path)) continue;
    throw new BagError(
      path,
      `${show(path)}: this file is not listed in ${TAG_MANIFEST}, so it cannot be checked: it was added after the bag was made`,
    );
  }

  if (!files.has(MANIFEST)) {
    throw new BagError(MANIFEST, `${MANIFEST} is missing: the payload cannot be checked`);
  }
  const entries = parseManifest(MANIFEST, await read(MANIFEST), 'payload');
  for (const path of entries.keys()) {
    if (!files.has(path)) {
      throw new BagError(
        path,
        `${show(path)}: ${MANIFEST} lists this file but it is not in the bag: it was removed or renamed after the bag was made`,
      );
    }
  }
  let octets = 0;
  const payload = new Map<string, Uint8Array>();
  for (const path of files) {
    if (!path.startsWith(DATA + '/')) continue;
    const expected = entries.get(path);
    if (expected === undefined) {
      throw new BagError(
        path,
        `${show(path)}: this file is in the bag but not in ${MANIFEST}: it was added after the bag was made`,
      );
    }
    const data = await read(path);
    checkHash(path, data, expected, MANIFEST);
    octets += data.byteLength;
    payload.set(path.slice(DATA.length + 1), data);
  }

  if (!files.has(BAG_INFO)) {
    throw new BagError(BAG_INFO, `${BAG_INFO} is missing, so the Payload-Oxum cannot be checked`);
  }
  const info = parseBagInfo(await read(BAG_INFO));
  const oxums = info.filter(([label]) => label.toLowerCase() === 'payload-oxum');
  if (oxums.length !== 1) {
    throw new BagError(
      BAG_INFO,
      `${BAG_INFO}: expected exactly one Payload-Oxum, found ${oxums.length}`,
    );
  }
  const oxum = /^(\d+)\.(\d+)$/.exec(oxums[0][1]);
  if (!oxum) {
    throw new BagError(
      BAG_INFO,
      `${BAG_INFO}: Payload-Oxum ${JSON.stringify(oxums[0][1])} is not "<bytes>.<file count>"`,
    );
  }
  if (Number(oxum[1]) !== octets || Number(oxum[2]) !== payload.size) {
    throw new BagError(
      BAG_INFO,
      `${BAG_INFO}: Payload-Oxum says ${oxum[1]} bytes in ${oxum[2]} files, but data/ holds ${octets} bytes in ${payload.size} files: the payload or bag-info.txt was changed after the bag was made`,
    );
  }
  return { info, payload, tagFiles };
}

/**
 * Lists the regular files of a bag as POSIX paths relative to it, refusing symbolic links and
 * special files anywhere (a link could make a file outside the bag look like part of it).
 */
async function listBag(dir: string, root: string): Promise<Set<string>> {
  let rootStat;
  try {
    rootStat = await lstat(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new BagError('.', `${dir}: there is no bag here (the folder does not exist)`);
    }
    throw e;
  }
  if (!rootStat.isDirectory()) {
    throw new BagError('.', `${dir}: not a folder, so not a bag`);
  }
  const files = new Set<string>();
  const walk = async (rel: string) => {
    const entries = await readdir(rel === '' ? root : join(root, ...rel.split('/')), {
      withFileTypes: true,
    });
    for (const entry of entries) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        throw new BagError(
          path,
          `${show(path)}: is a symbolic link; a bag may hold only ordinary files and folders, since a link can point outside the bag`,
        );
      } else if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile()) {
        files.add(path);
      } else {
        throw new BagError(
          path,
          `${show(path)}: is not an ordinary file (a device, pipe or socket); a bag may hold only files and folders`,
        );
      }
    }
  };
  await walk('');
  return files;
}

/** Reads a file of the bag without following a link swapped in since the listing. */
async function readRegularFile(root: string, path: string): Promise<Uint8Array> {
  // O_NOFOLLOW closes the gap between listing the bag and opening the file (absent on Windows).
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
  let handle: FileHandle;
  try {
    handle = await open(join(root, ...path.split('/')), flags);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new BagError(path, `${show(path)}: is a symbolic link`);
    throw new BagError(path, `${show(path)}: cannot be read (${code ?? (e as Error).message})`);
  }
  try {
    if (!(await handle.stat()).isFile()) {
      throw new BagError(path, `${show(path)}: is not an ordinary file`);
    }
    const buf = await handle.readFile();
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } finally {
    await handle.close();
  }
}

/** Tag files are UTF-8 without a byte-order mark (RFC 8493 §2.1.1). */
function decodeTagFile(file: string, data: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
  } catch {
    throw new BagError(file, `${file}: is not valid UTF-8 text`);
  }
  if (text.startsWith('\uFEFF')) {
    throw new BagError(file, `${file}: starts with a byte-order mark, which BagIt forbids`);
  }
  return text;
}

function checkBagitTxt(data: Uint8Array): void {
  const lines = splitLines(decodeTagFile('bagit.txt', data));
  const version = /^BagIt-Version: (\d+\.\d+)$/.exec(lines[0] ?? '');
  const encoding = /^Tag-File-Character-Encoding: (.+)$/.exec(lines[1] ?? '');
  if (!version || !encoding || lines.length !== 2) {
    throw new BagError(
      'bagit.txt',
      'bagit.txt: expected exactly the two lines "BagIt-Version: 1.0" and "Tag-File-Character-Encoding: UTF-8"',
    );
  }
  if (version[1] !== BAGIT_VERSION) {
    throw new BagError(
      'bagit.txt',
      `bagit.txt: this bag is BagIt version ${version[1]}; only version ${BAGIT_VERSION} is accepted`,
    );
  }
  if (encoding[1].toUpperCase() !== 'UTF-8') {
    throw new BagError(
      'bagit.txt',
      `bagit.txt: tag files are in ${encoding[1]}; only UTF-8 is accepted`,
    );
  }
}

/**
 * Parses a manifest into path → lowercase hex SHA-256. Payload manifests may name only files
 * under data/; tag manifests only files outside it, and never a tag manifest.
 */
function parseManifest(
  manifest: string,
  data: Uint8Array,
  kind: 'payload' | 'tag',
): Map<string, string> {
  const entries = new Map<string, string>();
  splitLines(decodeTagFile(manifest, data)).forEach((line, i) => {
    const where = `${manifest}, line ${i + 1}`;
    const fail = (why: string): never => {
      throw new BagError(manifest, `${where}: ${why}`);
    };
    const match = /^([0-9A-Fa-f]{64})[ \t]+(.+)$/.exec(line);
    if (!match) {
      return fail(
        `expected "<SHA-256 as 64 hex digits> <file path>", found ${JSON.stringify(line)}`,
      );
    }
    const path = decodeManifestPath(match[2]);
    if (path === undefined) {
      return fail(`the path ${JSON.stringify(match[2])} has a "%" that is not %25, %0A or %0D`);
    }
    const problem = pathProblem(path);
    if (problem) {
      return fail(
        `the path ${JSON.stringify(path)} ${problem}: a bag may not point outside itself`,
      );
    }
    const inData = path.startsWith(DATA + '/');
    if (kind === 'payload' && !inData) {
      return fail(`the path ${JSON.stringify(path)} is outside the data/ folder`);
    }
    if (kind === 'tag' && (inData || path === DATA || /^tagmanifest-[^/]*\.txt$/.test(path))) {
      return fail(`the path ${JSON.stringify(path)} is not a tag file this manifest may list`);
    }
    if (entries.has(path)) return fail(`${JSON.stringify(path)} is listed twice`);
    entries.set(path, match[1].toLowerCase());
  });
  return entries;
}

function checkHash(path: string, data: Uint8Array, expected: string, manifest: string): void {
  const actual = sha256(data);
  if (actual !== expected) {
    throw new BagError(
      path,
      `${show(path)}: its SHA-256 is ${actual}, ${manifest} says ${expected}: the file was changed after the bag was made`,
    );
  }
}

/** Parses bag-info.txt (RFC 8493 §2.2.2); folded values are joined with one space. */
function parseBagInfo(data: Uint8Array): Array<[string, string]> {
  const info: Array<[string, string]> = [];
  splitLines(decodeTagFile(BAG_INFO, data)).forEach((line, i) => {
    const fail = (why: string) =>
      new BagError(BAG_INFO, `${BAG_INFO}, line ${i + 1}: ${why}, found ${JSON.stringify(line)}`);
    if (/^[ \t]/.test(line)) {
      const last = info[info.length - 1];
      if (!last) throw fail('a continuation line comes before any element');
      last[1] += ' ' + line.replace(/^[ \t]+/, '');
      return;
    }
    const colon = line.indexOf(':');
    const label = line.slice(0, colon);
    const rest = line.slice(colon + 1);
    if (colon <= 0 || /[ \t]$/.test(label) || (rest !== '' && !/^[ \t]/.test(rest))) {
      throw fail('expected "Label: value"');
    }
    info.push([label, rest.slice(1)]);
  });
  return info;
}
