import {
  CreateBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

/** s3rver's default (and only) credentials. */
export const S3RVER_ACCESS_KEY_ID = 'S3RVER';
/** s3rver's default secret key. */
export const S3RVER_SECRET_ACCESS_KEY = 'S3RVER';
/** The region the helpers configure (s3rver accepts any). */
export const S3_TEST_REGION = 'us-east-1';

/** A running S3-protocol server (s3rver, in this process) on 127.0.0.1. */
export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /**
   * Environment that lets a process reach this server as if it were AWS: `AWS_ENDPOINT_URL_S3`,
   * `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`.
   */
  env: Record<string, string>;
  /** A new client for this server (path-style); destroyed by {@link S3Server.stop}. */
  client(): S3Client;
  /** CreateBucket. */
  createBucket(name: string): Promise<void>;
  /**
   * PutObject of every file under `dir` at `${prefix}/${relative path}` (just the relative path
   * when `prefix` is empty), each checked with HeadObject afterwards; returns the file count.
   */
  uploadFolder(dir: string, bucket: string, prefix: string): Promise<number>;
  /** Closes the server (and every connection and client), removes its data directory. */
  stop(): Promise<void>;
}

// s3rver 3.7.1 is CommonJS without type declarations; this is the part of its API used here.
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverClass = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  resetOnClose: boolean;
}) => S3rverInstance;

const require = createRequire(import.meta.url);

/** Data directories of servers not yet stopped, removed if the process exits first. */
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function removeOnExit(dir: string): void {
  liveDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
}

let desShimInstalled = false;

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node >= 17) only
 * has in its legacy provider: without help every truncated listing is a 500 InternalError. When
 * (and only when) creating a DES cipher fails, substitute an identity "cipher", so the token is
 * just base64(iv + "region/bucket/key") — still opaque to clients and read back by s3rver. The
 * shim changes nothing for any call that worked before.
 */
function installDesShim(): void {
  if (desShimInstalled) return;
  desShimInstalled = true;
  const crypto = require('node:crypto') as {
    createCipheriv: (...args: unknown[]) => unknown;
    createDecipheriv: (...args: unknown[]) => unknown;
  };
  const identity = () => ({
    update: (data: string | Buffer, encoding?: BufferEncoding) =>
      typeof data === 'string' ? Buffer.from(data, encoding) : Buffer.from(data),
    final: () => Buffer.alloc(0),
  });
  for (const name of ['createCipheriv', 'createDecipheriv'] as const) {
    const original = crypto[name];
    crypto[name] = (...args: unknown[]) => {
      try {
        return original(...args);
      } catch (err) {
        if (args[0] === 'des' && (err as { code?: string }).code === 'ERR_OSSL_EVP_UNSUPPORTED') {
          return identity();
        }
        throw err;
      }
    };
  }
}

/** Every regular file under `dir`, as paths relative to it with `/` separators. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function eachLimit<T>(items: T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Starts s3rver on 127.0.0.1 (a free port, chosen by the kernel) with a fresh data directory.
 * Talk to it with {@link S3Server.client} or, from another process, with {@link S3Server.env}.
 */
export async function startS3(): Promise<S3Server> {
  installDesShim();
  const S3rver = require('s3rver') as S3rverClass;
  const directory = mkdtempSync(join(tmpdir(), 'custos-s3rver-'));
  removeOnExit(directory);
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    resetOnClose: true,
  });
  let address: { address: string; port: number };
  try {
    address = await server.run();
  } catch (err) {
    rmSync(directory, { recursive: true, force: true });
    liveDirs.delete(directory);
    throw err;
  }
  const endpoint = `http://127.0.0.1:${address.port}`;
  const clients: S3Client[] = [];
  const client = () => {
    const c = new S3Client({
      endpoint,
      region: S3_TEST_REGION,
      credentials: {
        accessKeyId: S3RVER_ACCESS_KEY_ID,
        secretAccessKey: S3RVER_SECRET_ACCESS_KEY,
      },
      forcePathStyle: true,
    });
    clients.push(c);
    return c;
  };
  const admin = client();

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: S3_TEST_REGION,
      AWS_ACCESS_KEY_ID: S3RVER_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: S3RVER_SECRET_ACCESS_KEY,
    },
    client,
    async createBucket(name) {
      await admin.send(new CreateBucketCommand({ Bucket: name }));
    },
    async uploadFolder(dir, bucket, prefix) {
      const files = listFiles(dir);
      const lead = prefix.replace(/\/+$/, '');
      await eachLimit(files, 8, async (file) => {
        const body = readFileSync(join(dir, file));
        const key = lead ? `${lead}/${file}` : file;
        await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
        // s3rver answers a PUT before its write stream has flushed the file; wait until the
        // stored size is right so a GET right after this resolves never sees a short object.
        for (let i = 0; ; i++) {
          const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          if (head.ContentLength === body.length) break;
          if (i >= 100) throw new Error(`s3rver stored ${head.ContentLength} bytes of ${key}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      });
      return files.length;
    },
    stop() {
      stopped ??= (async () => {
        for (const c of clients) c.destroy();
        server.httpServer?.closeAllConnections();
        try {
          await server.close();
        } finally {
          rmSync(directory, { recursive: true, force: true });
          liveDirs.delete(directory);
        }
      })();
      return stopped;
    },
  };
}
