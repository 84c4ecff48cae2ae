// PAdES signing, attachments and signature verification of Custos reports, checked against the
// standard tools a regulator would use: poppler's pdfsig, qpdf and openssl.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachFiles, listAttachments } from '../../main/reports/pdfAttachments';
import { signPdf } from '../../main/reports/pdfSign';
import { verifyPdfSignatures } from '../../main/reports/pdfVerify';
import { createSigningPki, type SigningPki, type TestTsa } from '../helpers/signingCert';

const ARTIFACTS = join('test-artifacts', 'reports');
const SUBJECT = '/C=ZA/O=Example Compliance/CN=Thandi Dlamini';
const SUBJECT_RFC4514 = 'CN=Thandi Dlamini, O=Example Compliance, C=ZA';
const PASSPHRASE = 'Correct-Horse-Battery-Staple-7';
const ESS_V2 = 'id-smime-aa-signingCertificateV2 (1.2.840.113549.1.9.16.2.47)';

interface PdfMake {
  setFonts(fonts: Record<string, Record<string, string>>): void;
  setUrlAccessPolicy(policy: (url: string) => boolean): void;
  setLocalAccessPolicy(policy: (path: string) => boolean): void;
  createPdf(def: unknown): { getBuffer(): Promise<Buffer> };
}

/** A two-page report made the way Custos makes them (pdfmake, standard 14 fonts). */
async function makeReport(): Promise<Uint8Array> {
  const pdfmake = createRequire(import.meta.url)('pdfmake') as PdfMake;
  pdfmake.setFonts({
    Helvetica: {
      normal: 'Helvetica',
      bold: 'Helvetica-Bold',
      italics: 'Helvetica-Oblique',
      bolditalics: 'Helvetica-BoldOblique',
    },
  });
  pdfmake.setUrlAccessPolicy(() => false);
  // pdfmake resolves even the standard 14 font names through the local-file policy.
  const standard = new Set([
    'Helvetica',
    'Helvetica-Bold',
    'Helvetica-Oblique',
    'Helvetica-BoldOblique',
  ]);
  pdfmake.setLocalAccessPolicy((path) => standard.has(path));
  const rows = Array.from({ length: 40 }, (_, i) => [
    `demo.custos.example/audit`,
    String(2200 + i),
    `2026-09-${String((i % 28) + 1).padStart(2, '0')}`,
  ]);
  const def = {
    info: { title: 'Quarterly certified compliance report', producer: 'pdfmake' },
    defaultStyle: { font: 'Helvetica', fontSize: 10 },
    content: [
      { text: 'Quarterly certified compliance report', fontSize: 18, bold: true },
      { text: 'Q3 2026 - Example Compliance', margin: [0, 4, 0, 12] },
      {
        table: { headerRows: 1, body: [['Log', 'Entry', 'Date'], ...rows] },
        layout: 'lightHorizontalLines',
      },
      { text: 'Certification', fontSize: 14, bold: true, pageBreak: 'before' },
      'I certify that the cited events were verified against the logs listed above.',
    ],
  };
  return new Uint8Array(await pdfmake.createPdf(def).getBuffer());
}

/** Runs a tool on `pdf` (written to a temp file) and returns its exit status and output. */
function tool(cmd: string, args: (file: string) => string[], pdf: Uint8Array) {
  const dir = mkdtempSync(join(tmpdir(), 'custos-pdf-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const r = spawnSync(cmd, args(file), { encoding: 'utf8', cwd: dir });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const pdfsig = (pdf: Uint8Array, ...extra: string[]) =>
  tool('pdfsig', (f) => [...extra, f], pdf).out;
const qpdfCheck = (pdf: Uint8Array) => tool('qpdf', (f) => ['--check', f], pdf);

/** The last signature's /ByteRange and CMS, read straight from the bytes. */
function lastSignature(pdf: Uint8Array) {
  const text = Buffer.from(pdf).toString('latin1');
  const all = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const m = all[all.length - 1]!;
  const range = m.slice(1, 5).map(Number) as [number, number, number, number];
  const hex = text.slice(range[1] + 1, range[2] - 1);
  const padded = Buffer.from(hex, 'hex');
  const der = padded.subarray(0, asn1js.fromBER(padded).offset);
  const signed = Buffer.concat([
    Buffer.from(pdf.subarray(range[0], range[0] + range[1])),
    Buffer.from(pdf.subarray(range[2], range[2] + range[3])),
  ]);
  return { range, der, signed };
}

function openssl(args: string[], input?: Uint8Array): string {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}

function inTemp<T>(files: Record<string, Uint8Array>, fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'custos-cms-'));
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let pki: SigningPki;
let rsaP12: Uint8Array;
let ecP12: Uint8Array;
let report: Uint8Array;
let withAttachments: Uint8Array;
const evidence = [
  {
    name: 'checkpoint-demo.custos.example-audit.txt',
    data: new TextEncoder().encode('demo.custos.example/audit\n4096\nq6Ffh0ZJ6n1CtZJw1rQO5o=\n'),
    mimeType: 'text/plain',
    description: 'Checkpoint of demo.custos.example/audit',
  },
  {
    name: 'proof-demo.custos.example-audit-2269.tlog-proof',
    data: Uint8Array.from({ length: 300 }, (_, i) => (i * 37) % 256),
    mimeType: 'application/octet-stream',
    description: 'Inclusion proof for entry 2269',
    relationship: 'Data' as const,
  },
];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  pki = createSigningPki();
  rsaP12 = pki.issueP12({ keyType: 'rsa2048', subject: SUBJECT, passphrase: PASSPHRASE });
  ecP12 = pki.issueP12({ keyType: 'p256', subject: SUBJECT, passphrase: PASSPHRASE });
  report = await makeReport();
  withAttachments = await attachFiles(report, evidence);
});

afterAll(() => {
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

describe('attachFiles / listAttachments', () => {
  it('embeds the files with their MIME type, description and relationship', async () => {
    const listed = await listAttachments(withAttachments);
    expect(listed.map((a) => a.name)).toEqual(evidence.map((e) => e.name));
    for (const [i, a] of listed.entries()) {
      expect(Buffer.from(a.data).equals(Buffer.from(evidence[i]!.data))).toBe(true);
      expect(a.mimeType).toBe(evidence[i]!.mimeType);
      expect(a.description).toBe(evidence[i]!.description);
    }
    expect(listed.map((a) => a.relationship)).toEqual(['Supplement', 'Data']);
    expect(qpdfCheck(withAttachments).status).toBe(0);
    // qpdf sees them in the EmbeddedFiles name tree.
    const qpdf = tool('qpdf', (f) => ['--list-attachments', f], withAttachments).out;
    for (const e of evidence) expect(qpdf).toContain(e.name);
  });

  it('refuses duplicate names and MIME types with parameters, naming the file', async () => {
    await expect(attachFiles(withAttachments, [evidence[0]!])).rejects.toThrow(
      `attachment "${evidence[0]!.name}" is already in the document`,
    );
    await expect(
      attachFiles(report, [
        { name: 'a.txt', data: new Uint8Array(1), mimeType: 'text/plain; charset=utf-8' },
      ]),
    ).rejects.toThrow(/attachment "a.txt": MIME type/);
  });
});

describe.each([
  { key: 'RSA 2048', p12: () => rsaP12, visible: false },
  { key: 'ECDSA P-256', p12: () => ecP12, visible: true },
])('signPdf with $key', ({ key, p12, visible }) => {
  let signed: Uint8Array;

  beforeAll(async () => {
    signed = await signPdf(withAttachments, {
      p12: p12(),
      passphrase: PASSPHRASE,
      reason: 'I approve this quarterly certified compliance report',
      location: 'Johannesburg',
      contactInfo: 'compliance@example.com',
      ...(visible
        ? {
            visible: {
              pageIndex: 1,
              rect: [300, 640, 555, 740] as [number, number, number, number],
              lines: ['Chief Compliance Officer'],
            },
          }
        : {}),
    });
    writeFileSync(join(ARTIFACTS, `signed-${key.replace(/\W+/g, '-')}.pdf`), signed);
  });

  it('is an incremental update: the unsigned file is unchanged at the start', () => {
    expect(Buffer.from(signed.subarray(0, withAttachments.length))).toEqual(
      Buffer.from(withAttachments),
    );
  });

  it('validates in pdfsig, over the whole document', () => {
    const out = pdfsig(signed);
    expect(out).toContain('Signature Validation: Signature is Valid.');
    expect(out).toContain('Total document signed');
    expect(out).toContain('Signature Type: ETSI.CAdES.detached');
    expect(out).toContain('Signer Certificate Common Name: Thandi Dlamini');
    const { range } = lastSignature(signed);
    expect(out).toContain(
      `Signed Ranges: [${range[0]} - ${range[1]}], [${range[2]} - ${range[2] + range[3]}]`,
    );
  });

  it('chains to the test CA in pdfsig when the CA is trusted', () => {
    const nss = mkdtempSync(join(tmpdir(), 'custos-nss-'));
    try {
      execFileSync('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
      execFileSync('certutil', [
        '-A',
        '-d',
        `sql:${nss}`,
        '-n',
        'ca',
        '-t',
        'CT,C,C',
        '-i',
        pki.caCertPath,
      ]);
      expect(pdfsig(signed, '-nssdir', `sql:${nss}`)).toContain(
        'Certificate Validation: Certificate is Trusted.',
      );
    } finally {
      rmSync(nss, { recursive: true, force: true });
    }
  });

  it('passes qpdf --check', () => {
    const { status, out } = qpdfCheck(signed);
    expect(out).toContain('No syntax or stream encoding errors found');
    expect(status).toBe(0);
  });

  it('carries signing-certificate-v2 and no CMS signing-time (PAdES baseline), per openssl', () => {
    const { der, signed: bytes } = lastSignature(signed);
    const printed = openssl(['cms', '-inform', 'DER', '-cmsout', '-print'], der);
    expect(printed).toContain(ESS_V2);
    expect(printed).toContain('messageDigest (1.2.840.113549.1.9.4)');
    expect(printed).not.toContain('signingTime (1.2.840.113549.1.9.5)');
    // openssl verifies the detached signature and the chain to the test CA on its own.
    const verified = inTemp({ 'sig.der': der, 'content.bin': bytes }, (dir) =>
      openssl([
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        join(dir, 'sig.der'),
        '-content',
        join(dir, 'content.bin'),
        '-CAfile',
        pki.caCertPath,
        '-purpose',
        'any',
        '-out',
        join(dir, 'out.bin'),
      ]),
    );
    expect(verified).toContain('Verification successful');
  });

  it('keeps the attachments, byte for byte, under the signature', async () => {
    const listed = await listAttachments(signed);
    expect(listed.map((a) => [a.name, Buffer.from(a.data).toString('hex')])).toEqual(
      evidence.map((e) => [e.name, Buffer.from(e.data).toString('hex')]),
    );
  });

  it('verifies with verifyPdfSignatures, naming the signer', async () => {
    const result = await verifyPdfSignatures(signed);
    expect(result.ok).toBe(true);
    expect(result.signatures).toHaveLength(1);
    const [sig] = result.signatures;
    expect(sig).toMatchObject({
      field: 'Signature1',
      byteRange: lastSignature(signed).range,
      coversWholeFile: true,
      digestOk: true,
      signatureOk: true,
      signingCertificateV2: true,
      subFilter: 'ETSI.CAdES.detached',
      timestamp: null,
      problems: [],
    });
    expect(sig!.signer?.subject).toBe(SUBJECT_RFC4514);
    expect(sig!.signer?.issuer).toBe('CN=Custos Test Signing CA, O=Example Compliance, C=ZA');
    expect(Date.now() - Date.parse(sig!.signingTime!)).toBeLessThan(5 * 60_000);
  });

  it('fails in pdfsig and verifyPdfSignatures when one signed byte changes', async () => {
    const tampered = new Uint8Array(signed);
    const at = Buffer.from(tampered).indexOf('(pdfmake)', 0, 'latin1');
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(lastSignature(signed).range[1]);
    tampered[at + 1] = 'P'.charCodeAt(0);
    expect(pdfsig(tampered)).toContain('Signature Validation: Digest Mismatch.');
    const result = await verifyPdfSignatures(tampered);
    expect(result.ok).toBe(false);
    expect(result.signatures[0]!.digestOk).toBe(false);
    expect(result.signatures[0]!.problems.join(' ')).toContain(
      'message digest does not match the signed bytes: the document was changed after signing',
    );
  });

  it('reports bytes appended after signing as unsigned', async () => {
    const extra = Buffer.from('\n% appended after signing\n', 'latin1');
    const appended = new Uint8Array(Buffer.concat([Buffer.from(signed), extra]));
    expect(pdfsig(appended)).toContain('Not total document signed');
    const result = await verifyPdfSignatures(appended);
    expect(result.ok).toBe(false);
    expect(result.signatures[0]).toMatchObject({ coversWholeFile: false, digestOk: true });
    expect(result.signatures[0]!.problems).toContain(
      `the signed byte range leaves ${extra.length} bytes at the end of the file unsigned: the file was changed after signing`,
    );
  });

  it.runIf(visible)('draws a visible signature on the chosen page', () => {
    const png = (pdf: Uint8Array, name: string) => {
      const file = join(ARTIFACTS, name);
      const dir = mkdtempSync(join(tmpdir(), 'custos-png-'));
      try {
        writeFileSync(join(dir, 'doc.pdf'), pdf);
        execFileSync('pdftoppm', [
          '-png',
          '-r',
          '80',
          '-f',
          '2',
          '-l',
          '2',
          '-singlefile',
          join(dir, 'doc.pdf'),
          file,
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return readFileSync(`${file}.png`);
    };
    const before = png(withAttachments, 'unsigned-page-2');
    const after = png(signed, 'visible-signature-page-2');
    expect(after.length).toBeGreaterThan(1000);
    expect(after.equals(before)).toBe(false);
  });
});

describe('signPdf refusals', () => {
  it('names a wrong passphrase, and never echoes it', async () => {
    const wrong = 'not-the-passphrase-Zq9';
    const err = await signPdf(report, { p12: rsaP12, passphrase: wrong }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(
      'the PKCS#12 passphrase is wrong, or the file is not PKCS#12',
    );
    expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(wrong);
  });

  it('gives the same answer for a file that is not PKCS#12', async () => {
    await expect(signPdf(report, { p12: report, passphrase: PASSPHRASE })).rejects.toThrow(
      'the PKCS#12 passphrase is wrong, or the file is not PKCS#12',
    );
  });

  it('refuses an expired certificate, naming its dates', async () => {
    const notAfter = new Date(Date.now() - 86400_000);
    const notBefore = new Date(Date.now() - 30 * 86400_000);
    const p12 = pki.issueP12({
      keyType: 'p256',
      subject: SUBJECT,
      passphrase: PASSPHRASE,
      notBefore,
      notAfter,
    });
    const iso = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();
    await expect(signPdf(report, { p12, passphrase: PASSPHRASE })).rejects.toThrow(
      `the signing certificate (${SUBJECT_RFC4514}) expired on ${iso(notAfter)}: it was valid from ${iso(notBefore)} to ${iso(notAfter)}`,
    );
  });

  it('refuses a certificate that is not valid yet', async () => {
    const notBefore = new Date(Date.now() + 2 * 86400_000);
    const p12 = pki.issueP12({
      keyType: 'p256',
      subject: SUBJECT,
      passphrase: PASSPHRASE,
      notBefore,
      notAfter: new Date(Date.now() + 30 * 86400_000),
    });
    await expect(signPdf(report, { p12, passphrase: PASSPHRASE })).rejects.toThrow(
      /^the signing certificate \(CN=Thandi Dlamini, .*\) is not valid yet: it is valid from 20\d\d-/,
    );
  });

  it('refuses a PKCS#12 file without a private key', async () => {
    const p12 = pki.issueP12({
      keyType: 'p256',
      subject: SUBJECT,
      passphrase: PASSPHRASE,
      withoutKey: true,
    });
    await expect(signPdf(report, { p12, passphrase: PASSPHRASE })).rejects.toThrow(
      'the PKCS#12 file holds no private key (only 2 certificate(s)): export it again with the private key',
    );
  });

  it('refuses a key that is neither RSA nor P-256', async () => {
    const p12 = pki.issueP12({ keyType: 'p384', subject: SUBJECT, passphrase: PASSPHRASE });
    await expect(signPdf(report, { p12, passphrase: PASSPHRASE })).rejects.toThrow(
      'the key in the PKCS#12 file is EC on curve secp384r1; Custos signs with RSA (2048 bits or more) or ECDSA P-256',
    );
  });

  it('reads a Windows-style (SHA-1/3DES) PKCS#12 file, and names RC2 as unsupported', async () => {
    const tripleDes = pki.issueP12({
      keyType: 'rsa2048',
      subject: SUBJECT,
      passphrase: PASSPHRASE,
      encryption: '3des',
    });
    const signed = await signPdf(report, { p12: tripleDes, passphrase: PASSPHRASE });
    expect((await verifyPdfSignatures(signed)).ok).toBe(true);
    const rc2 = pki.issueP12({
      keyType: 'rsa2048',
      subject: SUBJECT,
      passphrase: PASSPHRASE,
      encryption: 'rc2',
    });
    await expect(signPdf(report, { p12: rc2, passphrase: PASSPHRASE })).rejects.toThrow(
      /encrypted with RC2-40 .* export it again with AES-256/,
    );
  });

  it('refuses a visible rectangle off the page or a page that does not exist', async () => {
    await expect(
      signPdf(report, {
        p12: ecP12,
        passphrase: PASSPHRASE,
        visible: { pageIndex: 2, rect: [0, 0, 200, 80] },
      }),
    ).rejects.toThrow(
      'visible.pageIndex 2 is out of range: the document has 2 page(s), numbered from 0',
    );
    await expect(
      signPdf(report, {
        p12: ecP12,
        passphrase: PASSPHRASE,
        visible: { pageIndex: 0, rect: [500, 10, 700, 90] },
      }),
    ).rejects.toThrow(/visible.rect \[500, 10, 700, 90\] does not lie within page 0/);
  });

  it('refuses to attach files to a signed PDF (the signature would not cover them)', async () => {
    const signed = await signPdf(report, { p12: ecP12, passphrase: PASSPHRASE });
    await expect(attachFiles(signed, evidence)).rejects.toThrow(
      /already signed: attach files before signing/,
    );
  });
});

describe('verifyPdfSignatures', () => {
  it('says not ok for a PDF without signatures', async () => {
    expect(await verifyPdfSignatures(report)).toEqual({ signatures: [], ok: false });
  });

  it('checks both signatures of a countersigned PDF; only the last covers the file', async () => {
    const first = await signPdf(withAttachments, { p12: rsaP12, passphrase: PASSPHRASE });
    const second = await signPdf(first, {
      p12: ecP12,
      passphrase: PASSPHRASE,
      reason: 'Countersigned',
    });
    const result = await verifyPdfSignatures(second);
    expect(result.ok).toBe(true);
    expect(result.signatures.map((s) => [s.field, s.coversWholeFile, s.signatureOk])).toEqual([
      ['Signature1', false, true],
      ['Signature2', true, true],
    ]);
    const out = pdfsig(second);
    expect(out.match(/Signature is Valid\./g)).toHaveLength(2);
  });
});

describe('signPdf with an RFC 3161 time-stamp (PAdES B-T)', () => {
  let server: Server;
  let tsa: TestTsa;
  let url: string;

  beforeAll(async () => {
    tsa = pki.createTsa();
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        tsa.reply(Buffer.concat(chunks)).then(
          (reply) => {
            res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' });
            res.end(reply);
          },
          () => {
            res.writeHead(500);
            res.end();
          },
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/tsr`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('embeds a time-stamp token over the signature that openssl ts and pdfsig accept', async () => {
    const signed = await signPdf(withAttachments, {
      p12: rsaP12,
      passphrase: PASSPHRASE,
      tsaUrl: url,
    });
    writeFileSync(join(ARTIFACTS, 'signed-B-T.pdf'), signed);

    // poppler 22.12's pdfsig validates the signature but does not print time-stamps at all
    // (its "Signing Time" is the /M entry), so the token itself is checked by openssl ts.
    const out = pdfsig(signed);
    expect(out).toContain('Signature Validation: Signature is Valid.');
    expect(out).toContain('Total document signed');

    const { der } = lastSignature(signed);
    expect(openssl(['cms', '-inform', 'DER', '-cmsout', '-print'], der)).toContain(
      'id-smime-aa-timeStampToken (1.2.840.113549.1.9.16.2.14)',
    );
    const sd = new pkijs.SignedData({
      schema: new pkijs.ContentInfo({ schema: asn1js.fromBER(der).result }).content,
    });
    const si = sd.signerInfos[0]!;
    const token = si.unsignedAttrs!.attributes[0]!.values[0] as asn1js.Sequence;
    const imprint = createHash('sha256')
      .update(Buffer.from(si.signature.valueBlock.valueHexView))
      .digest('hex');
    const verified = inTemp({ 'token.der': new Uint8Array(token.valueBeforeDecodeView) }, (dir) =>
      openssl([
        'ts',
        '-verify',
        '-token_in',
        '-in',
        join(dir, 'token.der'),
        '-digest',
        imprint,
        '-CAfile',
        pki.caCertPath,
        '-untrusted',
        tsa.certPath,
      ]),
    );
    expect(verified).toContain('Verification: OK');

    const result = await verifyPdfSignatures(signed);
    expect(result.ok).toBe(true);
    expect(result.signatures[0]!.timestamp).not.toBeNull();
    expect(Math.abs(Date.parse(result.signatures[0]!.timestamp!) - Date.now())).toBeLessThan(
      5 * 60_000,
    );
  });

  it('names a TSA that cannot be reached', async () => {
    await expect(
      signPdf(report, { p12: ecP12, passphrase: PASSPHRASE, tsaUrl: 'http://127.0.0.1:9/tsr' }),
    ).rejects.toThrow(
      /^the time-stamping authority at http:\/\/127.0.0.1:9\/tsr could not be reached/,
    );
  });
});
