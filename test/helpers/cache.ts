import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../shared/entry/json';
import { utf8 } from '../../shared/bytes';
import { openCacheDb } from '../../main/store/cache';
import { CacheStore } from '../../main/store/cacheStore';
import { readLogKey } from '../../main/tlog/keys';
import { sealEntries } from '../../main/tlog/seal';
import { FolderStorage } from '../../main/tlog/storage';
import { custos, event } from './cli';

export const newKey = () => randomBytes(32);

export function openStore(path: string, key: Buffer, create = true) {
  return new CacheStore(openCacheDb(path, key, { create }));
}

export const encodeEvents = (from: number, n: number, extra: Record<string, unknown> = {}) =>
  Array.from({ length: n }, (_, k) =>
    utf8(canonicalJson({ kind: 'custos.audit/v1', ...event(from + k, extra) } as never)),
  );

/** Seals events [from, from + n) into a folder store with the given key file. */
export async function sealRange(
  store: string,
  keyFile: string,
  from: number,
  n: number,
  extra: Record<string, unknown> = {},
) {
  return sealEntries(
    new FolderStorage(store),
    await readLogKey(keyFile),
    encodeEvents(from, n, extra),
  );
}

export async function newLogKey(dir: string, name: string, origin = 'sync.example/log') {
  const r = await custos('keygen', '--origin', origin, '--out', join(dir, name));
  if (r.code !== 0) throw new Error(r.stderr);
  return { key: join(dir, `${name}.key`), pub: join(dir, `${name}.pub`) };
}

export function copyStore(from: string, to: string) {
  cpSync(from, to, { recursive: true });
  return to;
}

export function readCheckpoint(store: string) {
  return readFileSync(join(store, 'checkpoint'), 'utf8');
}

export function writeCheckpoint(store: string, note: string) {
  writeFileSync(join(store, 'checkpoint'), note);
}
