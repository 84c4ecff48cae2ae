/**
 * Where the 32-byte cache key comes from. The CLI reads it from CUSTOS_CACHE_KEY or a key file
 * (never from an argument, which other users could see in the process list); the desktop app keeps
 * it with the OS keychain (safeStorage).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';

export interface KeyProvider {
  /** Describes where the key comes from, for error messages (never the key itself). */
  readonly description: string;
  getKey(): Promise<Buffer>;
}

export class CacheKeyError extends Error {
  override name = 'CacheKeyError';
}

/** Parses a key given as 64 hexadecimal characters; anything else is refused, never padded. */
export function parseHexKey(text: string, where: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new CacheKeyError(`${where} must hold exactly 64 hexadecimal characters (a 32-byte key)`);
  }
  return Buffer.from(hex, 'hex');
}

export function envKeyProvider(
  name = 'CUSTOS_CACHE_KEY',
  env: NodeJS.ProcessEnv = process.env,
): KeyProvider {
  return {
    description: `the environment variable ${name}`,
    async getKey() {
      const value = env[name];
      if (!value)
        throw new CacheKeyError(`no cache key: set ${name} (64 hex characters) or use --key-file`);
      return parseHexKey(value, name);
    },
  };
}

export function fileKeyProvider(path: string): KeyProvider {
  return {
    description: `the key file ${path}`,
    async getKey() {
      let text: string;
      try {
        const info = await stat(path);
        if (info.size > 1024) throw new Error('file is too large to be a key file');
        text = await readFile(path, 'utf8');
      } catch (e) {
        throw new CacheKeyError(`cannot read key file ${path}: ${(e as Error).message}`);
      }
      return parseHexKey(text, `key file ${path}`);
    },
  };
}

/** Writes a new random key as hex to a new file readable only by its owner. */
export async function writeNewKeyFile(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new CacheKeyError(`${path} already exists; not overwriting a key`);
    throw new CacheKeyError(`cannot create ${path}: ${(e as Error).message}`);
  }
  try {
    await fh.writeFile(`${randomBytes(32).toString('hex')}\n`);
  } finally {
    await fh.close();
  }
}
