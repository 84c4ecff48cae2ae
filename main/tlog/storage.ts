/**
 * Where a tlog-tiles store lives. Every resource is addressed by its path relative to the store's
 * prefix (`checkpoint`, `tile/0/000`, `tile/entries/x001/234.p/7`).
 */
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface LogStorage {
  /** A human-readable location for messages. */
  readonly location: string;
  /** The resource's bytes, or null when it does not exist. Other failures throw. */
  read(path: string): Promise<Uint8Array | null>;
}

export interface WritableLogStorage extends LogStorage {
  /** Writes a resource atomically: readers see the old bytes or the new ones, never a mix. */
  write(path: string, data: Uint8Array): Promise<void>;
  /** Makes every write so far durable (directory entries included). */
  flush(): Promise<void>;
}

export class StorageError extends Error {
  override name = 'StorageError';
}

/**
 * The largest resource a store can legitimately hold: a full entry bundle of 256 entries of
 * 65,535 bytes with their length prefixes. Anything larger is refused before it is read into
 * memory, so a hostile source cannot exhaust it.
 */
export const MAX_RESOURCE_SIZE = 256 * (2 + 65535);

function tooLarge(where: string, size: number | string): StorageError {
  return new StorageError(
    `${where} is ${size} bytes, larger than any store resource (${MAX_RESOURCE_SIZE})`,
  );
}

/** Reads a response body, refusing one that grows beyond MAX_RESOURCE_SIZE. */
async function boundedBody(res: Response, url: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > MAX_RESOURCE_SIZE) throw tooLarge(url, declared);
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > MAX_RESOURCE_SIZE) throw tooLarge(url, `over ${total}`);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

function checkRelative(path: string) {
  if (path.startsWith('/') || path.split('/').some((p) => p === '..' || p === '' || p === '.')) {
    throw new StorageError(`invalid store path ${JSON.stringify(path)}`);
  }
}

/** A store in a local folder (a shared drive, an evidence stick, the demo store). */
export class FolderStorage implements WritableLogStorage {
  readonly root: string;
  private readonly dirtyDirs = new Set<string>();
  constructor(root: string) {
    this.root = resolve(root);
  }
  get location() {
    return this.root;
  }
  private full(path: string) {
    checkRelative(path);
    const full = join(this.root, ...path.split('/'));
    if (!full.startsWith(this.root + sep)) throw new StorageError(`path ${path} escapes the store`);
    return full;
  }
  async read(path: string): Promise<Uint8Array | null> {
    try {
      const full = this.full(path);
      const info = await stat(full);
      if (info.size > MAX_RESOURCE_SIZE) throw tooLarge(`${path} in ${this.root}`, info.size);
      return new Uint8Array(await readFile(full));
    } catch (e) {
      if (e instanceof StorageError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw new StorageError(`cannot read ${path} in ${this.root}: ${(e as Error).message}`);
    }
  }
  async write(path: string, data: Uint8Array): Promise<void> {
    const full = this.full(path);
    await mkdir(dirname(full), { recursive: true });
    // Temp file in the same directory, fsync, then rename: atomic on POSIX filesystems.
    const tmp = `${full}.tmp-${randomBytes(6).toString('hex')}`;
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } catch (e) {
      await fh.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    await rename(tmp, full);
    this.dirtyDirs.add(dirname(full));
  }
  async flush(): Promise<void> {
    // A rename is only durable once its directory is synced.
    for (const dir of this.dirtyDirs) {
      const fh = await open(dir, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    this.dirtyDirs.clear();
  }
}

export interface HttpStorageOptions {
  timeoutMs?: number;
  retries?: number;
}

/** A store behind any static HTTP(S) server. */
export class HttpStorage implements LogStorage {
  private readonly base: string;
  constructor(
    url: string,
    private readonly options: HttpStorageOptions = {},
  ) {
    this.base = url.endsWith('/') ? url : `${url}/`;
  }
  get location() {
    return this.base;
  }
  async read(path: string): Promise<Uint8Array | null> {
    checkRelative(path);
    const url = this.base + path;
    const retries = this.options.retries ?? 3;
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
      try {
        const res = await fetch(url, {
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
          headers: { 'accept-encoding': 'gzip, identity' },
          redirect: 'error',
        });
        if (res.status === 404) return null;
        if (!res.ok) {
          lastError = new StorageError(`GET ${url}: HTTP ${res.status}`);
          if (res.status >= 500 || res.status === 429) continue;
          throw lastError;
        }
        return await boundedBody(res, url);
      } catch (e) {
        if (e instanceof StorageError) throw e;
        lastError = e;
      }
    }
    throw new StorageError(`GET ${url} failed: ${(lastError as Error)?.message ?? lastError}`);
  }
}

/** Opens a store by its location: an http(s) URL, an s3://bucket/prefix, or a folder path. */
export async function openStorage(location: string): Promise<LogStorage> {
  if (/^https?:\/\//i.test(location)) return new HttpStorage(location);
  if (/^s3:\/\//i.test(location)) {
    const { S3Storage } = await import('./s3Storage');
    return new S3Storage(location);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new StorageError(
      `store location ${location}: use a folder, an http(s):// URL or an s3:// location`,
    );
  }
  return new FolderStorage(location);
}

/** Opens a store that can be written: a folder or an s3://bucket/prefix. */
export async function openWritableStorage(location: string): Promise<WritableLogStorage> {
  if (/^s3:\/\//i.test(location)) {
    const { S3Storage } = await import('./s3Storage');
    return new S3Storage(location);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new StorageError(
      `store location ${location}: seal writes to a folder or an s3:// location`,
    );
  }
  return new FolderStorage(location);
}
