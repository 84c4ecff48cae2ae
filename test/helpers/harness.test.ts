import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './faultProxy';
import { startNginx, type NginxServer } from './nginx';
import { REPO } from './paths';
import { startS3, type S3Server } from './s3';
import { createTestCa, type TestCa } from './testCa';

/** Every byte value, then random bytes: anything not binary-safe shows up. */
function binary(n: number): Buffer {
  return Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(n)]);
}

const FILES: Record<string, Buffer> = {
  checkpoint: Buffer.from('example.com/log\n3\nq6Bq0Y8CYmZ2TX0yk2wWiAjYIkTNYWCmpNwJMy9wPbw=\n\n'),
  'tile/0/000': binary(32 * 3),
  'tile/0/x001/234': binary(4096),
  'tile/0/x001/234.p/17': binary(17 * 32),
  'tile/entries/x001/002.p/7': binary(700),
  'tile/entries/000': binary(100_000),
};

function writeTree(root: string, files: Record<string, Buffer>): void {
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node -e script` with exactly `env` (plus PATH), never inheriting NODE_* settings. */
function node(script: string, env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script, ...args],
      { cwd: REPO, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

const FETCH_SHA256 = `
const url = process.argv[1];
try {
  const res = await fetch(url);
  const bytes = Buffer.from(await res.arrayBuffer());
  const { createHash } = await import('node:crypto');
  console.log(res.status, createHash('sha256').update(bytes).digest('hex'));
} catch (err) {
  console.log('ERROR', err.cause?.code ?? err.code ?? err.message);
  process.exit(3);
}`;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let scratch: string;
let root: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'custos-harness-'));
  root = join(scratch, 'store');
  writeTree(root, FILES);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('nginx over HTTP', () => {
  let nginx: NginxServer | undefined;
  beforeAll(async () => {
    nginx = await startNginx(root);
  });
  afterAll(async () => {
    await nginx?.stop();
  });

  it('listens on 127.0.0.1 at a run-time port', () => {
    expect(nginx!.url).toBe(`http://127.0.0.1:${nginx!.port}`);
    expect(nginx!.port).toBeGreaterThan(0);
  });

  it('serves every file byte-for-byte', async () => {
    for (const [path, bytes] of Object.entries(FILES)) {
      const res = await fetch(`${nginx!.url}/${path}`);
      expect(res.status, path).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes), path).toBe(true);
    }
  });

  it('serves the checkpoint as uncached text and tiles as octet-stream', async () => {
    const checkpoint = await fetch(`${nginx!.url}/checkpoint`);
    await checkpoint.arrayBuffer();
    expect(checkpoint.headers.get('content-type')).toBe('text/plain');
    expect(checkpoint.headers.get('cache-control')).toBe('no-store');
    const tile = await fetch(`${nginx!.url}/tile/0/x001/234.p/17`);
    await tile.arrayBuffer();
    expect(tile.headers.get('content-type')).toBe('application/octet-stream');
    expect(tile.headers.get('cache-control')).toBeNull();
  });

  it('answers 404 for a missing file', async () => {
    const res = await fetch(`${nginx!.url}/tile/0/x999/999`);
    await res.arrayBuffer();
    expect(res.status).toBe(404);
  });

  it('stops, and the port no longer answers', async () => {
    const other = await startNginx(root);
    await other.stop();
    await other.stop(); // idempotent
    await expect(fetch(`${other.url}/checkpoint`)).rejects.toThrow();
  });
});

describe('nginx over HTTPS with the test CA', () => {
  let ca: TestCa | undefined;
  let nginx: NginxServer | undefined;
  beforeAll(async () => {
    ca = createTestCa();
    nginx = await startNginx(root, { tls: ca });
  });
  afterAll(async () => {
    await nginx?.stop();
    if (ca) rmSync(ca.dir, { recursive: true, force: true });
  });

  it('uses an https URL on 127.0.0.1', () => {
    expect(nginx!.url).toBe(`https://127.0.0.1:${nginx!.port}`);
  });

  it('is trusted by a child process given NODE_EXTRA_CA_CERTS', async () => {
    const path = 'tile/0/x001/234.p/17';
    const run = await node(FETCH_SHA256, { NODE_EXTRA_CA_CERTS: ca!.caCertPath }, [
      `${nginx!.url}/${path}`,
    ]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(`200 ${sha256(FILES[path]!)}`);
  });

  it('is trusted under the name localhost too', async () => {
    const run = await node(FETCH_SHA256, { NODE_EXTRA_CA_CERTS: ca!.caCertPath }, [
      `https://localhost:${nginx!.port}/checkpoint`,
    ]);
    expect(run.stdout.trim()).toBe(`200 ${sha256(FILES.checkpoint!)}`);
  });

  it('is refused without the CA', async () => {
    const run = await node(FETCH_SHA256, {}, [`${nginx!.url}/checkpoint`]);
    expect(run.code).toBe(3);
    expect(run.stdout.trim()).toBe('ERROR UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

describe('fault proxy', () => {
  let nginx: NginxServer | undefined;
  let proxy: FaultProxy | undefined;
  const path = 'tile/entries/000';
  const bytes = FILES[path]!;

  beforeAll(async () => {
    nginx = await startNginx(root);
    proxy = await startFaultProxy(nginx.url);
  });
  afterAll(async () => {
    await proxy?.stop();
    await nginx?.stop();
  });

  const get = (p: string, init?: RequestInit) => fetch(`${proxy!.url}/${p}`, init);

  it('passes requests through unchanged and records them', async () => {
    proxy!.setRules([]);
    const before = proxy!.requests.length;
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    const checkpoint = await get('checkpoint');
    expect(checkpoint.headers.get('cache-control')).toBe('no-store');
    expect(await checkpoint.text()).toBe(FILES.checkpoint!.toString());
    const missing = await get('tile/0/x999/999');
    await missing.arrayBuffer();
    expect(missing.status).toBe(404);
    expect(proxy!.requests.slice(before)).toEqual([`/${path}`, '/checkpoint', '/tile/0/x999/999']);
  });

  it('drop: exactly afterBytes of the body arrive, then reading it fails', async () => {
    proxy!.setRules([
      { match: (p) => p === `/${path}`, fault: { kind: 'drop', afterBytes: 1000 } },
    ]);
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    const error = await (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return undefined;
          chunks.push(value);
        }
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(Error);
    expect(Buffer.concat(chunks).equals(bytes.subarray(0, 1000))).toBe(true);
  });

  it('drop after 0 bytes: headers only', async () => {
    proxy!.setRules([{ match: () => true, fault: { kind: 'drop', afterBytes: 0 } }]);
    const res = await get(path);
    await expect(res.arrayBuffer()).rejects.toThrow();
  });

  it('truncate: a complete but short response', async () => {
    proxy!.setRules([{ match: () => true, fault: { kind: 'truncate', bytes: 77 } }]);
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('77');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(0, 77))).toBe(true);
  });

  it('corrupt: exactly one byte differs, at offset mod length', async () => {
    const offset = bytes.length + 1234;
    proxy!.setRules([{ match: () => true, fault: { kind: 'corrupt', offset } }]);
    const got = Buffer.from(await (await get(path)).arrayBuffer());
    expect(got.length).toBe(bytes.length);
    const diffs = [...got.keys()].filter((i) => got[i] !== bytes[i]);
    expect(diffs).toEqual([1234]);
  });

  it.each([404, 500, 503])('status %i', async (status) => {
    proxy!.setRules([{ match: () => true, fault: { kind: 'status', status } }]);
    const res = await get(path);
    await res.arrayBuffer();
    expect(res.status).toBe(status);
  });

  it('stall: a client with a 200 ms timeout gives up', async () => {
    proxy!.setRules([{ match: () => true, fault: { kind: 'stall', ms: 30_000 } }]);
    const start = Date.now();
    await expect(get(path, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(Date.now() - start).toBeLessThan(5_000);
  });

  it('stall shorter than the client timeout: a slow but correct answer', async () => {
    proxy!.setRules([{ match: () => true, fault: { kind: 'stall', ms: 300 } }]);
    const start = Date.now();
    const res = await get(path, { signal: AbortSignal.timeout(5_000) });
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
  });

  it('times limits a rule; the first live matching rule wins; others pass through', async () => {
    proxy!.setRules([
      { match: (p) => p.endsWith('/000'), fault: { kind: 'status', status: 503 }, times: 2 },
      { match: (p) => p.endsWith('/000'), fault: { kind: 'status', status: 500 }, times: 1 },
    ]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await get(path);
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([503, 503, 500, 200]);
    const other = await get('checkpoint');
    expect(other.status).toBe(200);
    expect(await other.text()).toBe(FILES.checkpoint!.toString());
  });

  it('setRules resets the counters', async () => {
    const rule = { match: () => true, fault: { kind: 'status', status: 500 } as const, times: 1 };
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) {
      proxy!.setRules([rule]);
      const res = await get(path);
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([500, 500]);
  });

  it('stop() returns promptly even with a request stalled in flight', async () => {
    const other = await startFaultProxy(nginx!.url);
    try {
      other.setRules([{ match: () => true, fault: { kind: 'stall', ms: 60_000 } }]);
      const pending = fetch(`${other.url}/${path}`).catch((err: unknown) => err);
      while (other.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
      const start = Date.now();
      await other.stop();
      expect(Date.now() - start).toBeLessThan(1_000);
      expect(await pending).toBeInstanceOf(Error);
    } finally {
      await other.stop(); // idempotent
    }
  });
});

describe('s3rver through @aws-sdk/client-s3', () => {
  let s3: S3Server | undefined;
  let client: S3Client;
  const bucket = 'custos-test';
  const prefix = 'logs/a';

  beforeAll(async () => {
    s3 = await startS3();
    client = s3.client();
    await s3.createBucket(bucket);
    expect(await s3.uploadFolder(root, bucket, prefix)).toBe(Object.keys(FILES).length);
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('exposes an AWS-style environment', () => {
    expect(s3!.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s3!.env).toEqual({
      AWS_ENDPOINT_URL_S3: s3!.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
  });

  it('GetObject returns every tile-like key byte-for-byte', async () => {
    for (const [path, bytes] of Object.entries(FILES)) {
      const out = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/${path}` }),
      );
      const got = Buffer.from(await out.Body!.transformToByteArray());
      expect(got.equals(bytes), path).toBe(true);
      expect(out.ContentLength, path).toBe(bytes.length);
    }
  });

  it('HeadObject reports the size', async () => {
    const key = `${prefix}/tile/entries/x001/002.p/7`;
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(FILES['tile/entries/x001/002.p/7']!.length);
    expect(head.ETag).toBe(
      `"${createHash('md5').update(FILES['tile/entries/x001/002.p/7']!).digest('hex')}"`,
    );
  });

  it('ListObjectsV2 lists the keys in order, also page by page', async () => {
    const expected = Object.keys(FILES)
      .map((p) => `${prefix}/${p}`)
      .sort();
    const all = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }),
    );
    expect(all.Contents?.map((o) => o.Key)).toEqual(expected);
    expect(all.IsTruncated).toBe(false);

    const paged: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: `${prefix}/tile/`,
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      paged.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(paged).toEqual(expected.filter((k) => k.startsWith(`${prefix}/tile/`)));

    const dirs = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: `${prefix}/tile/0/x001/`,
        Delimiter: '/',
      }),
    );
    expect(dirs.Contents?.map((o) => o.Key)).toEqual([`${prefix}/tile/0/x001/234`]);
    expect(dirs.CommonPrefixes?.map((p) => p.Prefix)).toEqual([`${prefix}/tile/0/x001/234.p/`]);
  });

  it('known s3rver quirk: listing follows its directory walk, not byte order', async () => {
    // s3rver stores key a/b as directory a, file b; so across sibling prefixes where one name
    // extends another with a byte below '/' ('-', '.'), its order differs from S3's, and paging
    // with continuation tokens (StartAfter semantics) then skips keys. Within one log prefix
    // ending in '/', tlog-tiles paths are unaffected (see the test above).
    const other = 'quirk-bucket';
    await s3!.createBucket(other);
    for (const Key of ['logs/a/checkpoint', 'logs/a-b/checkpoint']) {
      await client.send(new PutObjectCommand({ Bucket: other, Key, Body: Buffer.from(Key) }));
    }
    const all = await client.send(new ListObjectsV2Command({ Bucket: other }));
    // S3 would say ['logs/a-b/checkpoint', 'logs/a/checkpoint'].
    expect(all.Contents?.map((o) => o.Key)).toEqual(['logs/a/checkpoint', 'logs/a-b/checkpoint']);
    const first = await client.send(new ListObjectsV2Command({ Bucket: other, MaxKeys: 1 }));
    const rest = await client.send(
      new ListObjectsV2Command({ Bucket: other, ContinuationToken: first.NextContinuationToken }),
    );
    expect(rest.Contents ?? []).toEqual([]); // logs/a-b/checkpoint is skipped
  });

  async function failure(p: Promise<unknown>): Promise<S3ServiceException> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(S3ServiceException);
    return err as S3ServiceException;
  }

  it('a missing key: GetObject fails with NoSuchKey / 404', async () => {
    const err = await failure(
      client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/tile/0/x999/999` })),
    );
    expect(err.name).toBe('NoSuchKey');
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it('a missing key: HeadObject fails with NotFound / 404', async () => {
    const err = await failure(
      client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/tile/0/x999/999` })),
    );
    expect(err.name).toBe('NotFound');
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it('a missing bucket: GetObject fails with NoSuchBucket / 404', async () => {
    const err = await failure(
      client.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'checkpoint' })),
    );
    expect(err.name).toBe('NoSuchBucket');
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it('a process configured only by env reaches it as it would AWS', async () => {
    const home = mkdtempSync(join(tmpdir(), 'custos-home-'));
    try {
      const script = `
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
const client = new S3Client({});
const out = await client.send(new GetObjectCommand({ Bucket: process.argv[1], Key: process.argv[2] }));
const bytes = await out.Body.transformToByteArray();
console.log(createHash('sha256').update(bytes).digest('hex'));
client.destroy();`;
      const key = `${prefix}/tile/0/x001/234.p/17`;
      // The SDK warns on stderr under Node < 22; that is not what this test is about.
      const env = {
        ...s3!.env,
        HOME: home,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      };
      const run = await node(script, env, [bucket, key]);
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toBe(sha256(FILES['tile/0/x001/234.p/17']!));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
