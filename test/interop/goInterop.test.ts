/**
 * Interoperability: a store written by `custos seal` verifies with an independent implementation,
 * Go's golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog (test/interop/go/verifystore).
 *
 * Needs Debian's golang-go and golang-golang-x-mod-dev (the Go module proxy is not reachable, so
 * the program is built in GOPATH mode against /usr/share/gocode). Without them this test fails.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const goSource = join(repoRoot, 'test', 'interop', 'go', 'verifystore');
const custosBin = join(repoRoot, 'bin', 'custos.mjs');
const gopath = '/usr/share/gocode';
const installHint =
  'install Go and golang.org/x/mod from Debian: apt-get install -y golang-go golang-golang-x-mod-dev';

/** 600 entries: partial tiles tile/0/002.p/88, tile/1/000.p/2 and tile/entries/002.p/88. */
const FIRST = 600;
/** 66,000 more: 66,600 has 260 full level-0 tiles, tile/1/001.p/4 and tile/2/000.p/1. */
const SECOND = 66_000;

let work = '';
let verifier = '';
let goEnv: NodeJS.ProcessEnv = {};
let pubKey = '';

interface CheckpointLines {
  origin: string;
  size: number;
  root: string;
}

/** The origin, size and root lines custos wrote into a checkpoint. */
function readCheckpoint(path: string): CheckpointLines {
  const [origin, size, root] = readFileSync(path, 'utf8').split('\n');
  return { origin, size: Number(size), root };
}

function auditLines(start: number, count: number): string {
  const lines: string[] = [];
  const t0 = Date.UTC(2026, 6, 1, 8, 0, 0);
  for (let i = start; i < start + count; i++) {
    lines.push(
      JSON.stringify({
        id: `e${i}`,
        time: new Date(t0 + i * 1000).toISOString(),
        source: 'interop',
        category: 'access',
        action: i % 5 === 0 ? 'user.logout' : 'user.login',
        outcome: i % 7 === 0 ? 'failure' : 'success',
        actor: { id: `u-${i % 50}`, type: 'user', name: 'n'.repeat(1 + (i % 13)) },
        severity: 'info',
      }),
    );
  }
  return lines.join('\n') + '\n';
}

function custos(...args: string[]): string {
  return execFileSync(process.execPath, [custosBin, ...args], {
    cwd: work,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function verifyStore(store: string, ...extra: string[]) {
  const r = spawnSync(verifier, [store, pubKey, ...extra], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

function timed<T>(label: string, f: () => T): T {
  const start = performance.now();
  const out = f();
  console.log(`${label}: ${((performance.now() - start) / 1000).toFixed(2)} s`);
  return out;
}

beforeAll(() => {
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new Error(
      `the Go toolchain is needed for the interop test and \`go\` did not run: ${installHint}`,
    );
  }
  if (!existsSync(join(gopath, 'src', 'golang.org', 'x', 'mod', 'sumdb', 'tlog'))) {
    throw new Error(`golang.org/x/mod/sumdb/tlog is not under ${gopath}: ${installHint}`);
  }

  work = mkdtempSync(join(tmpdir(), 'custos-go-interop-'));
  goEnv = {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: gopath,
    GOCACHE: join(work, 'gocache'),
    GOFLAGS: '',
    CGO_ENABLED: '0',
  };
  verifier = join(work, 'verifystore');
  timed('go build verifystore', () =>
    execFileSync('go', ['build', '-o', verifier, '.'], {
      cwd: goSource,
      env: goEnv,
      stdio: 'pipe',
    }),
  );

  custos('keygen', '--origin', 'test.example/log', '--out', 'k');
  pubKey = readFileSync(join(work, 'k.pub'), 'utf8').trim();
  writeFileSync(join(work, 'first.jsonl'), auditLines(0, FIRST));
  writeFileSync(join(work, 'second.jsonl'), auditLines(FIRST, SECOND));

  timed(`custos seal ${FIRST}`, () =>
    custos('seal', '--store', 'store', '--key', 'k.key', 'first.jsonl'),
  );
  copyFileSync(join(work, 'store', 'checkpoint'), join(work, 'checkpoint-first'));
  cpSync(join(work, 'store'), join(work, 'store-first'), { recursive: true });
  timed(`custos seal +${SECOND}`, () =>
    custos('seal', '--store', 'store', '--key', 'k.key', 'second.jsonl'),
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a custos store verifies with Go sumdb/note and sumdb/tlog', () => {
  it('verifies the first checkpoint (size 600, partial tiles)', () => {
    const cp = readCheckpoint(join(work, 'store-first', 'checkpoint'));
    expect(cp.size).toBe(FIRST);
    const r = timed('go verify 600', () => verifyStore(join(work, 'store-first')));
    expect(r.stdout).toBe(`OK ${cp.origin} ${cp.size} ${cp.root}`);
    expect(r.status).toBe(0);
  });

  it('verifies the appended store and its consistency with the first checkpoint', () => {
    const cp = readCheckpoint(join(work, 'store', 'checkpoint'));
    expect(cp.origin).toBe('test.example/log');
    expect(cp.size).toBe(FIRST + SECOND);
    for (const tile of [
      'tile/0/260.p/40',
      'tile/1/001.p/4',
      'tile/2/000.p/1',
      'tile/entries/260.p/40',
    ]) {
      expect(existsSync(join(work, 'store', tile)), tile).toBe(true);
    }
    const r = timed(`go verify ${FIRST + SECOND} --old-checkpoint`, () =>
      verifyStore(join(work, 'store'), '--old-checkpoint', join(work, 'checkpoint-first')),
    );
    expect(r.stdout).toBe(`OK ${cp.origin} ${cp.size} ${cp.root}`);
    expect(r.status).toBe(0);
  });

  it.each([
    ['a full entry bundle', 'tile/entries/100'],
    ['the partial entry bundle', 'tile/entries/260.p/40'],
  ])('rejects %s with one flipped byte', (_what, bundle) => {
    const store = join(work, `tampered-${bundle.replace(/\W/g, '_')}`);
    cpSync(join(work, 'store'), store, { recursive: true });
    const file = join(store, bundle);
    const data = readFileSync(file);
    data[10] ^= 0x01; // inside the first entry's JSON, past its 2-byte length prefix
    writeFileSync(file, data);
    const r = verifyStore(store);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL /);
    expect(r.stdout).toContain(bundle);
  });
});
