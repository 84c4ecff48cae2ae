/**
 * `custos report` and `custos verify-report` end to end on the demo quarter: the signed quarterly
 * report validates in poppler's pdfsig and in verify-report; one changed byte fails both; a report
 * whose embedded proof was changed before signing fails verify-report, naming the attachment.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRUST_META } from '../../main/store/cacheStore';
import { CaseService } from '../../main/cases/service';
import { buildReport } from '../../main/reports/build';
import { renderPdf } from '../../main/reports/render';
import { attachFiles, listAttachments } from '../../main/reports/pdfAttachments';
import { signPdf } from '../../main/reports/pdfSign';
import { Journal } from '../../main/journal/journal';
import { custos, tempDir } from '../helpers/cli';
import { REPO } from '../helpers/paths';
import { searchableCache } from '../helpers/search';
import { createSigningPki } from '../helpers/signingCert';

const TRUST = join(REPO, 'resources/demo/demo.pub');
const PASS = 'correct horse battery staple';
let ws: Awaited<ReturnType<typeof searchableCache>>;
let dir: string;
let keyFile: string;
let p12File: string;
let signed: string;

const pdfsig = (file: string) => spawnSync('pdfsig', [file], { encoding: 'utf8' });

async function report(...args: string[]) {
  const before = process.env.CUSTOS_P12_PASS;
  process.env.CUSTOS_P12_PASS = PASS;
  try {
    return await custos('report', '--cache', ws.path, '--key-file', keyFile, ...args);
  } finally {
    if (before === undefined) delete process.env.CUSTOS_P12_PASS;
    else process.env.CUSTOS_P12_PASS = before;
  }
}

beforeAll(async () => {
  dir = tempDir('custos-report-');
  const store = join(dir, 'store');
  const r = await custos('demo', '--out', store, '--size', '6000');
  expect(r.code, r.stderr).toBe(0);
  ws = await searchableCache(dir, store, TRUST);
  ws.cache.setMeta(TRUST_META, readFileSync(TRUST, 'utf8'));
  keyFile = join(dir, 'cache.key');
  writeFileSync(keyFile, ws.key.toString('hex'), { mode: 0o600 });
  const pki = createSigningPki();
  p12File = join(dir, 'officer.p12');
  writeFileSync(
    p12File,
    pki.issueP12({
      keyType: 'rsa2048',
      subject: '/C=ZA/O=Example Compliance/CN=Thandi Dlamini',
      passphrase: PASS,
    }),
  );
  signed = join(dir, 'q3.pdf');
  const made = await report(
    '--template',
    'quarterly',
    '--period',
    '2026-Q3',
    '--out',
    signed,
    '--sign',
    p12File,
    '--organisation',
    'Example Holdings (Pty) Ltd',
    '--signatory',
    'Thandi Dlamini',
    '--role',
    'Chief Compliance Officer',
  );
  expect(made.code, made.stderr).toBe(0);
}, 240_000);
afterAll(() => ws?.cache.close());

describe('the signed quarterly report', () => {
  it('validates in pdfsig, totally signed, and qpdf finds nothing wrong', () => {
    const s = pdfsig(signed);
    expect(s.stdout).toMatch(/Signature is Valid/);
    expect(s.stdout).toMatch(/Total document signed/);
    expect(s.stdout).toMatch(/Thandi Dlamini/);
    const q = spawnSync('qpdf', ['--check', signed], { encoding: 'utf8' });
    expect(q.status, q.stdout + q.stderr).toBe(0);
    expect(q.stdout).toMatch(/No syntax or stream encoding errors found/);
  });

  it('verifies with custos verify-report: the signature and every embedded proof', async () => {
    const v = await custos('verify-report', signed, '--trust', TRUST);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toMatch(/by .*CN=Thandi Dlamini/);
    expect(v.stdout).toMatch(
      /covers the whole file; verifies; PAdES signing-certificate-v2 present/,
    );
    const m = /(\d+) of (\d+) embedded event proofs verify/.exec(v.stdout)!;
    expect(Number(m[1])).toBeGreaterThan(0);
    expect(m[1]).toBe(m[2]);
    expect(v.stdout).toMatch(/result: OK, the report verifies/);
    // Against another log's key it fails: the checkpoints are not signed by a trusted key.
    const other = await custos(
      'keygen',
      '--origin',
      'demo.custos.example/audit',
      '--out',
      join(dir, 'impostor'),
    );
    expect(other.code).toBe(0);
    const wrong = await custos('verify-report', signed, '--trust', join(dir, 'impostor.pub'));
    expect(wrong.code).toBe(1);
  });

  it('is in the report history and the activity journal, with its SHA-256', async () => {
    const sha = createHash('sha256').update(readFileSync(signed)).digest('hex');
    const row = ws.cache.db.prepare('SELECT * FROM reports WHERE path = ?').get(signed) as {
      sha256: string;
      signer: string;
      template: string;
    };
    expect(row).toMatchObject({ sha256: sha, signer: 'Thandi Dlamini', template: 'quarterly' });
    const journal = Journal.open(ws.cache, ws.path);
    expect(journal.list({ limit: 10 }).map((e) => [e.action, e.details.sha256])).toContainEqual([
      'report.create',
      sha,
    ]);
  });

  it('fails pdfsig and verify-report when one byte changes', async () => {
    const bytes = readFileSync(signed);
    // A byte of page content, inside the signed range.
    const at = bytes.indexOf('stream', 2000) + 20;
    bytes[at] = bytes[at] ^ 0x01;
    const changed = join(dir, 'q3-changed.pdf');
    writeFileSync(changed, bytes);
    expect(pdfsig(changed).stdout).not.toMatch(/Signature is Valid/);
    const v = await custos('verify-report', changed, '--trust', TRUST);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/PROBLEM signature/);
  });

  it('refuses to overwrite a file, a wrong passphrase, and an unknown period', async () => {
    const again = await report('--template', 'monthly', '--period', '2026-08', '--out', signed);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists: choose another file name\n$/);
    const before = process.env.CUSTOS_P12_PASS;
    process.env.CUSTOS_P12_PASS = 'wrong';
    const bad = await custos(
      'report',
      '--cache',
      ws.path,
      '--key-file',
      keyFile,
      '--template',
      'monthly',
      '--period',
      '2026-08',
      '--out',
      join(dir, 'bad.pdf'),
      '--sign',
      p12File,
    );
    if (before === undefined) delete process.env.CUSTOS_P12_PASS;
    else process.env.CUSTOS_P12_PASS = before;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/passphrase is wrong/);
    expect(bad.stderr).not.toContain('wrong\n');
    const period = await report(
      '--template',
      'monthly',
      '--period',
      '2026-13',
      '--out',
      join(dir, 'x.pdf'),
    );
    expect(period.code).toBe(2);
    expect(period.stderr).toMatch(/2026-13/);
  });
});

it('verify-report names an embedded proof that was changed before signing', async () => {
  const cases = new CaseService(ws.cache, 'Thandi Dlamini');
  const built = await buildReport(
    {
      store: ws.cache,
      search: ws.search,
      cases,
      trustText: readFileSync(TRUST, 'utf8'),
      custosVersion: 'test',
    },
    {
      template: 'quarterly',
      period: '2026-Q3',
      organisation: 'Example Holdings',
      classification: 'Confidential',
      version: '1.0',
      generatedBy: 'test',
    },
  );
  const victim = built.evidence.find((f) => f.name.endsWith('.tlog-proof'))!;
  const forged = built.evidence.map((f) => {
    if (f !== victim) return f;
    const text = new TextDecoder().decode(f.data).split('\n');
    // The first hash of the inclusion proof, replaced by another valid-looking one.
    const i = text.findIndex((l, k) => k > 1 && /^[A-Za-z0-9+/]{43}=$/.test(l));
    text[i] = Buffer.alloc(32, 7).toString('base64');
    return { ...f, data: new TextEncoder().encode(text.join('\n')) };
  });
  let pdf = await renderPdf(built.docDefinition as never);
  pdf = await attachFiles(
    pdf,
    forged.map((f) => ({
      name: f.name,
      data: f.data,
      mimeType: f.mimeType,
      description: f.description,
    })),
  );
  expect((await listAttachments(pdf)).map((a) => a.name)).toContain(victim.name);
  pdf = await signPdf(pdf, { p12: readFileSync(p12File), passphrase: PASS });
  const file = join(dir, 'forged-proof.pdf');
  writeFileSync(file, pdf);
  // The signature is fine (the forgery happened before signing); the proof is not.
  expect(pdfsig(file).stdout).toMatch(/Signature is Valid/);
  const v = await custos('verify-report', file, '--trust', TRUST);
  expect(v.code).toBe(1);
  expect(v.stdout).toContain(`PROBLEM ${victim.name}: `);
  expect(v.stdout).toMatch(/is not in the log at checkpoint/);
});
