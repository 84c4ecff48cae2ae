/**
 * Case bundles: exported on one workspace, validated by an independent BagIt validator, imported
 * and verified on another; every kind of tampering refused with the file named.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseService } from '../../main/cases/service';
import { TRUST_META } from '../../main/store/cacheStore';
import { newKey, newLogKey, openStore, sealRange } from '../helpers/cache';
import { custos, tempDir } from '../helpers/cli';
import { REPO } from '../helpers/paths';
import { testWorkspace } from '../helpers/workspace';

let ws: Awaited<ReturnType<typeof testWorkspace>>;
let keyFile: string;
let bundle: string;
let caseId: number;
const evidence = new TextEncoder().encode('Ticket INC-4711: customer complaint, 3 pages\n');

const validate = (dir: string) =>
  spawnSync('python3', [join(REPO, 'test/helpers/bagit_validate.py'), dir], { encoding: 'utf8' });

function writeKey(dir: string, key: Buffer, name = 'cache.key') {
  const path = join(dir, name);
  writeFileSync(path, key.toString('hex'), { mode: 0o600 });
  return path;
}

/** A fresh empty workspace: its cache and key file. */
function freshWorkspace(trustText?: string) {
  const dir = tempDir('custos-import-');
  const key = newKey();
  const path = join(dir, 'cache.db');
  const store = openStore(path, key);
  if (trustText) store.setMeta(TRUST_META, trustText);
  store.close();
  return { path, keyFile: writeKey(dir, key) };
}

const sha256 = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');

/** Recomputes a bag's manifests and Payload-Oxum, as a forger who knows BagIt would. */
function remanifest(bag: string) {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d, { withFileTypes: true }))
      if (n.isDirectory()) walk(join(d, n.name));
      else files.push(join(d, n.name));
  };
  walk(join(bag, 'data'));
  writeFileSync(
    join(bag, 'manifest-sha256.txt'),
    files.map((f) => `${sha256(readFileSync(f))}  ${relative(bag, f)}\n`).join(''),
  );
  const octets = files.reduce((n, f) => n + statSync(f).size, 0);
  const info = readFileSync(join(bag, 'bag-info.txt'), 'utf8').replace(
    /Payload-Oxum: .*/,
    `Payload-Oxum: ${octets}.${files.length}`,
  );
  writeFileSync(join(bag, 'bag-info.txt'), info);
  writeFileSync(
    join(bag, 'tagmanifest-sha256.txt'),
    ['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt']
      .map((f) => `${sha256(readFileSync(join(bag, f)))}  ${f}\n`)
      .join(''),
  );
}

/** A copy of the exported bundle to tamper with. */
function copyOfBundle() {
  const dir = join(tempDir('custos-tamper-'), 'bundle');
  cpSync(bundle, dir, { recursive: true });
  return dir;
}

async function importInto(
  target: { path: string; keyFile: string },
  dir: string,
  ...extra: string[]
) {
  return custos(
    'case',
    'import',
    '--cache',
    target.path,
    '--key-file',
    target.keyFile,
    ...extra,
    dir,
  );
}

beforeAll(async () => {
  ws = await testWorkspace(300);
  keyFile = writeKey(ws.dir, ws.key);
  const cases = new CaseService(ws.cache, 'Thandi Officer');
  const c = cases.create({
    title: 'Failed logins of July',
    description: '# Scope\nEvery *failed* login.',
    periodFrom: Date.UTC(2026, 6, 1),
    periodTo: Date.UTC(2026, 7, 1),
  });
  caseId = c.id;
  const failures = ws.search.page({ query: 'outcome:failure', limit: 1000 }).rows;
  cases.addEvents(c.id, failures.map((r) => r.id).slice(0, 5), 'search: outcome:failure');
  const events = cases.events(c.id);
  cases.tagEvents(c.id, [events[0].id, events[1].id], 'brute-force');
  cases.addNote(c.id, 'The first two came from one address.', events[0].id);
  cases.addNote(c.id, 'Reviewed with the DPO.');
  cases.addEvidence(c.id, 'ticket INC-4711.txt', evidence);
  cases.setStatus(c.id, 'closed');
  bundle = join(tempDir('custos-bundle-'), 'case-bundle');
  const r = await custos(
    'case',
    'export',
    '--cache',
    ws.path,
    '--key-file',
    keyFile,
    '--case',
    String(c.id),
    '--out',
    bundle,
  );
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/5 events with their proofs, 1 evidence files/);
}, 60_000);
afterAll(() => ws?.cache.close());

describe('a case bundle', () => {
  it('is a BagIt bag that an independent validator accepts', () => {
    const v = validate(bundle);
    expect(v.stdout.trim(), v.stderr).toBe('valid');
    expect(v.status).toBe(0);
    const names = readFileSync(join(bundle, 'manifest-sha256.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('  ')[1])
      .sort();
    expect(names).toEqual(
      [
        'data/case.json',
        'data/custody.jsonl',
        'data/evidence/ticket INC-4711.txt',
        'data/trust-policy.txt',
        ...[1, 2, 3, 4, 5].flatMap((n) => [
          `data/events/00000${n}.entry`,
          `data/proofs/00000${n}.tlog-proof`,
        ]),
      ].sort(),
    );
    // Each event's proof is a c2sp.org/tlog-proof that the Go-compatible verifier accepts.
    const proof = readFileSync(join(bundle, 'data/proofs/000001.tlog-proof'), 'utf8');
    expect(proof.startsWith('c2sp.org/tlog-proof@v1\n')).toBe(true);
    const custody = readFileSync(join(bundle, 'data/custody.jsonl'), 'utf8').trim().split('\n');
    expect(custody.map((l) => JSON.parse(l).what)).toEqual([
      'created',
      'events added',
      'tagged',
      'note added',
      'note added',
      'evidence added',
      'closed',
      'exported',
    ]);
  });

  it("is on the officer's activity journal, which verifies", async () => {
    const list = await custos('journal', '--cache', ws.path, '--key-file', keyFile, '--json');
    expect(list.code, list.stderr).toBe(0);
    const entries = JSON.parse(list.stdout).entries as Array<{
      action: string;
      details: Record<string, unknown>;
    }>;
    expect(entries.map((e) => e.action)).toContain('case.export');
    const exported = entries.find((e) => e.action === 'case.export')!;
    expect(exported.details).toMatchObject({ events: 5, evidence: 1, dir: bundle });
    const verified = await custos('journal', '--cache', ws.path, '--key-file', keyFile, '--verify');
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    // `custos verify --cache` checks the journal with the rest of the cache.
    const cache = await custos('verify', '--cache', ws.path, '--key-file', keyFile);
    expect(cache.code, cache.stdout + cache.stderr).toBe(0);
    expect(cache.stdout).toMatch(/activity journal custos\.journal\/[0-9a-f]{16}: 1 entries/);
    const anchor = `${ws.path}.journal-checkpoint`;
    const kept = readFileSync(anchor);
    rmSync(anchor);
    const gone = await custos('verify', '--cache', ws.path, '--key-file', keyFile);
    writeFileSync(anchor, kept, { mode: 0o600 });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/activity journal: .*journal-checkpoint/);
  });

  it('imports into a fresh workspace as the same case, every hash and proof verified', async () => {
    const fresh = freshWorkspace();
    const r = await importInto(fresh, bundle);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /imported as case 1: Failed logins of July \(5 events, 1 evidence files\)/,
    );
    expect(r.stdout).toMatch(
      /console\.example\/log: not in this workspace's trust policy; verified against the bundle's own, key console\.example\/log\+[0-9a-f]{8}/,
    );
    const shown = await custos(
      'case',
      'show',
      '--cache',
      fresh.path,
      '--key-file',
      fresh.keyFile,
      '--case',
      '1',
      '--json',
    );
    const original = await custos(
      'case',
      'show',
      '--cache',
      ws.path,
      '--key-file',
      keyFile,
      '--case',
      String(caseId),
      '--json',
    );
    const a = JSON.parse(shown.stdout);
    const b = JSON.parse(original.stdout);
    for (const k of ['uid', 'title', 'owner', 'status', 'description', 'periodFrom', 'periodTo'])
      expect(a.case[k]).toEqual(b.case[k]);
    expect(a.case.importedAt).toBeGreaterThan(0);
    const strip = (e: { origin: string; index: number; fields: unknown; tags: string[] }) => [
      e.origin,
      e.index,
      e.fields,
      e.tags,
    ];
    expect(a.events.map(strip)).toEqual(b.events.map(strip));
    // The fresh workspace holds no log: the events are the bundle's own copies.
    expect(a.events.every((e: { entryId: number | null }) => e.entryId === null)).toBe(true);
    expect(a.notes.map((n: { body: string }) => n.body)).toEqual(
      b.notes.map((n: { body: string }) => n.body),
    );
    expect(a.evidence).toEqual([
      expect.objectContaining({
        name: 'ticket INC-4711.txt',
        sha256: sha256(evidence),
        size: evidence.length,
      }),
    ]);
    expect(a.custody.map((c: { what: string }) => c.what).slice(-2)).toEqual([
      'exported',
      'imported',
    ]);
    // Once is enough.
    const again = await importInto(fresh, bundle);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /data\/case\.json: this case is already in the workspace as case 1/,
    );
  });

  it("is checked against the importing workspace's own trust policy where it knows the log", async () => {
    const trust = readFileSync(ws.log.pub, 'utf8');
    const trusting = freshWorkspace(trust);
    const ok = await importInto(trusting, bundle);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /console\.example\/log: checkpoint verified against this workspace's trust policy/,
    );
    // A workspace that trusts another key for the same log refuses the bundle's checkpoint.
    const impostor = await newLogKey(tempDir(), 'impostor', 'console.example/log');
    const wary = freshWorkspace(readFileSync(impostor.pub, 'utf8'));
    const refused = await importInto(wary, bundle);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/data\/proofs\/000001\.tlog-proof: .*signature/i);
  });
});

describe('a tampered bundle is refused, naming the file', () => {
  const refused = async (dir: string) => {
    const r = await importInto(freshWorkspace(), dir);
    expect(r.code).toBe(1);
    return r.stderr;
  };

  it('a changed evidence file', async () => {
    const dir = copyOfBundle();
    appendFileSync(join(dir, 'data/evidence/ticket INC-4711.txt'), 'one more line\n');
    expect(validate(dir).status).toBe(1);
    expect(await refused(dir)).toMatch(/data\/evidence\/ticket INC-4711\.txt: .*changed/);
    // Even with the manifests made again, the case's own record of the hash catches it.
    remanifest(dir);
    expect(validate(dir).status).toBe(0);
    expect(await refused(dir)).toMatch(
      /data\/evidence\/ticket INC-4711\.txt: its SHA-256 is [0-9a-f]{64}, the case says [0-9a-f]{64}: the evidence file was changed/,
    );
  });

  it('a changed event', async () => {
    const dir = copyOfBundle();
    const file = join(dir, 'data/events/000002.entry');
    writeFileSync(file, readFileSync(file, 'utf8').replace('failure', 'success'));
    expect(validate(dir).status).toBe(1);
    expect(await refused(dir)).toMatch(/data\/events\/000002\.entry/);
    remanifest(dir);
    expect(await refused(dir)).toMatch(
      /data\/events\/000002\.entry: its leaf hash is [0-9a-f]{64}, the case says [0-9a-f]{64}: the event was changed/,
    );
    // And changing the case file too only moves the failure to the proof.
    const caseFile = join(dir, 'data/case.json');
    const c = JSON.parse(readFileSync(caseFile, 'utf8'));
    const { createTreeHasher } = await import('../../shared/tlog/hasher');
    const { nodeCrypto } = await import('../../main/crypto/nodeCrypto');
    c.events[1].leafHash = Buffer.from(
      createTreeHasher(nodeCrypto.sha256).leafHash(readFileSync(file)),
    ).toString('hex');
    writeFileSync(caseFile, JSON.stringify(c));
    remanifest(dir);
    expect(await refused(dir)).toMatch(
      /data\/proofs\/000002\.tlog-proof: inclusion proof does not lead to the root/,
    );
  });

  it('a removed manifest line', async () => {
    const dir = copyOfBundle();
    const manifest = join(dir, 'manifest-sha256.txt');
    const lines = readFileSync(manifest, 'utf8').trim().split('\n');
    writeFileSync(
      manifest,
      lines.filter((l) => !l.endsWith('data/events/000003.entry')).join('\n') + '\n',
    );
    expect(validate(dir).status).toBe(1);
    expect(await refused(dir)).toMatch(
      /manifest-sha256\.txt: .*was changed after the bag was made/,
    );
    // With the tag manifest made again to match, the unlisted payload file itself is named.
    writeFileSync(
      join(dir, 'tagmanifest-sha256.txt'),
      ['bagit.txt', 'bag-info.txt', 'manifest-sha256.txt']
        .map((f) => `${sha256(readFileSync(join(dir, f)))}  ${f}\n`)
        .join(''),
    );
    expect(validate(dir).status).toBe(1);
    expect(await refused(dir)).toMatch(/data\/events\/000003\.entry/);
  });

  it('a proof for another log', async () => {
    const other = tempDir('custos-other-');
    const log = await newLogKey(other, 'other', 'other.example/log');
    await sealRange(join(other, 'store'), log.key, 0, 300);
    const proof = await custos(
      'proof',
      '--store',
      join(other, 'store'),
      '--entry',
      '0',
      '--trust',
      log.pub,
    );
    expect(proof.code, proof.stderr).toBe(0);
    // The forger also adds the other log's key to the bundle's trust policy.
    const dir = copyOfBundle();
    const c = JSON.parse(readFileSync(join(dir, 'data/case.json'), 'utf8'));
    const ev = c.events[0];
    const p = proof.stdout.replace(/^index \d+$/m, `index ${ev.index}`);
    writeFileSync(join(dir, `data/${ev.proof}`), p);
    appendFileSync(join(dir, 'data/trust-policy.txt'), readFileSync(log.pub, 'utf8'));
    remanifest(dir);
    expect(validate(dir).status).toBe(0);
    expect(await refused(dir)).toMatch(
      /data\/proofs\/000001\.tlog-proof: the proof is for log other\.example\/log, the event is from log console\.example\/log: a proof for another log/,
    );
  });

  it('a bundle that is not a bag at all, or a case file that is not a case', async () => {
    const empty = tempDir('custos-notabag-');
    expect(await refused(empty)).toMatch(/bagit\.txt/);
    const dir = copyOfBundle();
    writeFileSync(join(dir, 'data/case.json'), '{"format":"something else"}');
    remanifest(dir);
    expect(await refused(dir)).toMatch(/data\/case\.json: not a custos\.case\/v1 case/);
    rmSync(dir, { recursive: true });
  });
});

it('exports refuse a case that does not exist, naming it', async () => {
  const r = await custos(
    'case',
    'export',
    '--cache',
    ws.path,
    '--key-file',
    keyFile,
    '--case',
    '99',
    '--out',
    join(tempDir(), 'x'),
  );
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/no case 99/);
});
