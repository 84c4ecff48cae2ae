/**
 * Sync from real servers: nginx over HTTP and HTTPS (a test CA), a flaky network in front of it,
 * and s3rver through the AWS SDK, exactly as against AWS S3.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrust } from '../../main/tlog/keys';
import { FolderStorage, HttpStorage, MAX_RESOURCE_SIZE } from '../../main/tlog/storage';
import { S3Storage } from '../../main/tlog/s3Storage';
import { SyncAlarm, syncSource, SyncSourceError } from '../../main/sync/engine';
import { verifyCache } from '../../main/store/verifyCache';
import { tempDir } from '../helpers/cli';
import { newKey, newLogKey, openStore, sealRange } from '../helpers/cache';
import { startNginx, type NginxServer } from '../helpers/nginx';
import { startFaultProxy, type FaultProxy } from '../helpers/faultProxy';
import { createTestCa, type TestCa } from '../helpers/testCa';
import { startS3, type S3Server } from '../helpers/s3';
import { REPO } from '../helpers/paths';

let dir: string;
let log: { key: string; pub: string };
let store: string;
let http: NginxServer;
let https: NginxServer;
let ca: TestCa;
let proxy: FaultProxy;
const SIZE = 3000;

beforeAll(async () => {
  dir = tempDir('custos-sources-');
  log = await newLogKey(dir, 'log', 'http.example/log');
  store = join(dir, 'store');
  await sealRange(store, log.key, 0, SIZE);
  ca = createTestCa();
  http = await startNginx(store);
  https = await startNginx(store, { tls: ca });
  proxy = await startFaultProxy(http.url);
});

afterAll(async () => {
  await proxy?.stop();
  await http?.stop();
  await https?.stop();
  if (ca) rmSync(ca.dir, { recursive: true, force: true });
});

/** The CLI in a child process, asynchronously: s3rver runs in this process and must keep serving. */
const cliAsync = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/custos.mjs'), ...args], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(REPO, 'bin/custos.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });

describe('sync over HTTP from nginx', () => {
  it('syncs the store with the CLI, then verifies the cache, with the entry count and root', () => {
    const cache = join(dir, 'http.db');
    const env = { CUSTOS_CACHE_KEY: newKey().toString('hex') };
    const s = cli(['sync', '--cache', cache, '--from', `${http.url}/`, '--trust', log.pub], env);
    expect(s.stderr).toBe('');
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(
      new RegExp(
        `http.example/log from ${http.url}/: ${SIZE} new entries verified and stored; ${SIZE} entries, root \\S+=`,
      ),
    );
    const v = cli(['verify', '--cache', cache], env);
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(
      new RegExp(`http.example/log: ${SIZE} entries, 1 checkpoints, verified size ${SIZE}`),
    );
    expect(v.stdout).toContain('result: OK, the cache verifies');
  });

  it('syncs over HTTPS from a server whose CA the user trusts, and refuses an unknown CA', () => {
    const cache = join(dir, 'https.db');
    const env = { CUSTOS_CACHE_KEY: newKey().toString('hex') };
    const untrusted = cli(['sync', '--cache', cache, '--from', https.url, '--trust', log.pub], env);
    expect(untrusted.status).toBe(1);
    expect(untrusted.stderr).toMatch(/FAILED: GET https:\/\/127\.0\.0\.1:\d+\/checkpoint failed/);
    const s = cli(['sync', '--cache', cache, '--from', https.url, '--trust', log.pub], {
      ...env,
      NODE_EXTRA_CA_CERTS: ca.caCertPath,
    });
    expect(s.stderr).toBe('');
    expect(s.status).toBe(0);
    expect(s.stdout).toContain(`${SIZE} new entries verified and stored`);
  });
});

describe('the demo store over nginx', () => {
  it('verifies as a store, syncs into a cache, and the cache verifies, with its count and root', async () => {
    const demo = join(dir, 'demo');
    const made = cli(['demo', '--out', demo, '--size', '3000']);
    expect(made.status).toBe(0);
    const server = await startNginx(demo);
    try {
      const trust = join(REPO, 'resources/demo/demo.pub');
      const store = cli(['verify', '--store', server.url, '--trust', trust]);
      expect(store.status).toBe(0);
      expect(store.stdout).toMatch(
        /origin: +demo\.custos\.example\/audit\nentries: +3000\nroot: +(\S+)\n/,
      );
      const root = /root: +(\S+)/.exec(store.stdout)![1];
      const cache = join(dir, 'demo.db');
      const env = { CUSTOS_CACHE_KEY: newKey().toString('hex') };
      const sync = cli(['sync', '--cache', cache, '--from', server.url, '--trust', trust], env);
      expect(sync.status).toBe(0);
      expect(sync.stdout).toContain(
        `3000 new entries verified and stored; 3000 entries, root ${root}`,
      );
      const verify = cli(['verify', '--cache', cache], env);
      expect(verify.status).toBe(0);
      expect(verify.stdout).toContain(
        `demo.custos.example/audit: 3000 entries, 1 checkpoints, verified size 3000, root ${root}`,
      );
    } finally {
      await server.stop();
    }
  });
});

describe('a hostile source', () => {
  it('cannot make Custos read a resource larger than any a store holds', async () => {
    const hostile = join(dir, 'hostile');
    cpSync(store, hostile, { recursive: true });
    writeFileSync(join(hostile, 'tile/entries/001'), Buffer.alloc(MAX_RESOURCE_SIZE + 1, 0x41));
    const server = await startNginx(hostile);
    try {
      const cache = openStore(join(dir, 'hostile.db'), newKey());
      const err = await syncSource(
        cache,
        new HttpStorage(server.url),
        await readTrust(log.pub),
      ).catch((e) => e);
      expect(String(err)).toMatch(
        /tile\/entries\/001 is 16777473 bytes, larger than any store resource \(16777472\)/,
      );
      const folder = await syncSource(
        cache,
        new FolderStorage(hostile),
        await readTrust(log.pub),
      ).catch((e) => e);
      expect(String(folder)).toMatch(/larger than any store resource/);
      cache.close();
    } finally {
      await server.stop();
    }
  });
});

describe('sync through a flaky network', () => {
  const run = async (
    name: string,
    rules: Parameters<FaultProxy['setRules']>[0],
    opts: { timeoutMs?: number } = {},
  ) => {
    proxy.setRules(rules);
    const cache = openStore(join(dir, `${name}.db`), newKey());
    const source = new HttpStorage(proxy.url, { timeoutMs: opts.timeoutMs ?? 5000, retries: 2 });
    const result = await syncSource(cache, source, await readTrust(log.pub), {
      segmentsPerCommit: 1,
    }).catch((e: Error) => e);
    proxy.setRules([]);
    return { cache, result };
  };

  it.each([
    ['a connection dropped mid-file', { kind: 'drop' as const, afterBytes: 1000 }],
    ['a truncated response', { kind: 'truncate' as const, bytes: 5000 }],
    ['a corrupted response', { kind: 'corrupt' as const, offset: 777 }],
    ['a server error', { kind: 'status' as const, status: 503 }],
  ])('recovers from %s and ends with a complete, correct cache', async (name, fault) => {
    const { cache, result } = await run(name.replace(/\W+/g, '-'), [
      { match: (p) => p.endsWith('tile/entries/005'), fault, times: 1 },
    ]);
    expect(result).toMatchObject({ size: SIZE, added: SIZE });
    expect(verifyCache(cache, await readTrust(log.pub)).ok).toBe(true);
    cache.close();
  });

  it('recovers from a stalled server by timing out and retrying', async () => {
    const { cache, result } = await run(
      'stall',
      [
        {
          match: (p) => p.endsWith('tile/entries/003'),
          fault: { kind: 'stall', ms: 3000 },
          times: 1,
        },
      ],
      { timeoutMs: 300 },
    );
    expect(result).toMatchObject({ size: SIZE });
    cache.close();
  });

  it('stops with a clear error on a missing bundle, keeps what it verified, and resumes later', async () => {
    const { cache, result } = await run('missing', [
      { match: (p) => p.endsWith('tile/entries/007'), fault: { kind: 'status', status: 404 } },
    ]);
    expect(result).toBeInstanceOf(SyncSourceError);
    expect((result as Error).message).toMatch(/tile\/entries\/007 is missing/);
    const l = cache.logByOrigin('http.example/log')!;
    expect(cache.entryCount(l.id)).toBe(7 * 256);
    expect(cache.latestAccepted(l.id)).toBeNull();
    expect(verifyCache(cache, await readTrust(log.pub)).problems).toEqual([]);
    const resumed = await syncSource(cache, new HttpStorage(proxy.url), await readTrust(log.pub));
    expect(resumed).toMatchObject({ size: SIZE, added: SIZE - 7 * 256 });
    expect(verifyCache(cache, await readTrust(log.pub)).ok).toBe(true);
    cache.close();
  });

  it('raises an alarm, and stores nothing of it, when a bundle is persistently corrupted', async () => {
    const { cache, result } = await run('persistent', [
      { match: (p) => p.endsWith('tile/entries/002'), fault: { kind: 'corrupt', offset: 4242 } },
    ]);
    expect(result).toBeInstanceOf(SyncAlarm);
    expect((result as SyncAlarm).kind).toBe('entry-mismatch');
    const l = cache.logByOrigin('http.example/log')!;
    expect(cache.entryCount(l.id)).toBe(512);
    cache.close();
  });
});

describe('S3-compatible storage (s3rver)', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3();
    await s3.createBucket('audit-logs');
    await s3.uploadFolder(store, 'audit-logs', 'prod/school');
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('syncs from s3://bucket/prefix through the AWS SDK', async () => {
    const cache = openStore(join(dir, 's3.db'), newKey());
    const source = new S3Storage('s3://audit-logs/prod/school', s3.client());
    const r = await syncSource(cache, source, await readTrust(log.pub));
    expect(r).toMatchObject({ origin: 'http.example/log', size: SIZE, added: SIZE });
    expect(verifyCache(cache, await readTrust(log.pub)).ok).toBe(true);
    cache.close();
  });

  it('seals into S3 with the CLI, and the CLI syncs from there, configured like AWS tools', async () => {
    await s3.createBucket('sealed');
    const input = join(dir, 'in.jsonl');
    const { writeEvents } = await import('../helpers/cli');
    writeEvents(dir, 'in.jsonl', 0, 700);
    const seal = await cliAsync(
      ['seal', '--store', 's3://sealed/logs/a', '--key', log.key, input],
      s3.env,
    );
    expect(seal.stderr).toBe('');
    expect(seal.status).toBe(0);
    const appended = await cliAsync(
      ['seal', '--store', 's3://sealed/logs/a', '--key', log.key, input],
      s3.env,
    );
    expect(appended.status).toBe(0);
    expect(appended.stdout).toContain('size 1400');
    const verify = await cliAsync(
      ['verify', '--store', 's3://sealed/logs/a', '--trust', log.pub],
      s3.env,
    );
    expect(verify.stdout).toContain('result:   OK');
    const cache = join(dir, 's3-cli.db');
    const env = { ...s3.env, CUSTOS_CACHE_KEY: newKey().toString('hex') };
    const sync = await cliAsync(
      ['sync', '--cache', cache, '--from', 's3://sealed/logs/a', '--trust', log.pub],
      env,
    );
    expect(sync.stderr).toBe('');
    expect(sync.stdout).toContain('1400 new entries verified and stored');
    const missing = await cliAsync(
      ['sync', '--cache', cache, '--from', 's3://sealed/nothing-here', '--trust', log.pub],
      env,
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/s3:\/\/sealed\/nothing-here: checkpoint is missing/);
  });
});
