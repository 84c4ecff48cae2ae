/** `custos report` and `custos verify-report`: signed PDF reports, and checking them. */
import { readFile } from 'node:fs/promises';
import { CaseService } from '../cases/service';
import { Journal, officerName } from '../journal/journal';
import { readTrust } from '../tlog/keys';
import { SearchService } from '../search/service';
import { makeReport, REPORT_TEMPLATES, type ReportTemplate } from '../reports/report';
import { verifyReport } from '../reports/verifyReport';
import { CUSTOS_VERSION } from '../version';
import { openStore } from './cacheCommands';
import { nonNegativeInteger, parseCommandArgs, required } from './args';
import { EXIT_OK, EXIT_VERIFY_FAILED, UsageError } from './errors';
import type { Output } from './output';

/**
 * The PKCS#12 passphrase: CUSTOS_P12_PASS, or asked on the terminal without echo. Never an
 * argument, which other users of the machine could read in the process list.
 */
async function p12Passphrase(file: string): Promise<string> {
  const env = process.env.CUSTOS_P12_PASS;
  if (env !== undefined) return env;
  const stdin = process.stdin;
  if (!stdin.isTTY)
    throw new UsageError(
      `the passphrase of ${file} comes from CUSTOS_P12_PASS or, in a terminal, a prompt`,
    );
  process.stderr.write(`Passphrase for ${file}: `);
  stdin.setRawMode(true);
  stdin.resume();
  let pass = '';
  try {
    await new Promise<void>((done, fail) => {
      const onData = (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            return done();
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            return fail(new UsageError('cancelled'));
          }
          if (ch === '\u007f') pass = pass.slice(0, -1);
          else pass += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
  return pass;
}

export async function reportCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    cache: { type: 'string' },
    'key-file': { type: 'string' },
    template: { type: 'string' },
    period: { type: 'string' },
    case: { type: 'string' },
    out: { type: 'string' },
    sign: { type: 'string' },
    tsa: { type: 'string' },
    organisation: { type: 'string' },
    systems: { type: 'string' },
    classification: { type: 'string' },
    version: { type: 'string' },
    signatory: { type: 'string' },
    role: { type: 'string' },
    json: { type: 'boolean' },
  });
  const template = required(values.template, '--template') as ReportTemplate;
  if (!REPORT_TEMPLATES.includes(template))
    throw new UsageError(`--template takes ${REPORT_TEMPLATES.join(', ')}`);
  const caseId =
    values.case === undefined ? undefined : nonNegativeInteger(values.case, '--case', 0);
  if (template === 'investigation' && caseId === undefined)
    throw new UsageError('the investigation report needs --case <id>');
  if (template !== 'investigation' && template !== 'certificate' && !values.period)
    throw new UsageError(`the ${template} report needs --period`);
  if (values.tsa && !values.sign) throw new UsageError('--tsa goes with --sign');
  const outPath = required(values.out, '--out');
  const sign = values.sign
    ? {
        p12: new Uint8Array(await readFile(values.sign)),
        passphrase: await p12Passphrase(values.sign),
        tsaUrl: values.tsa,
      }
    : undefined;

  const cachePath = required(values.cache, '--cache');
  const store = await openStore(cachePath, values['key-file']);
  const officer = officerName();
  const journal = Journal.open(store, cachePath, { officer });
  try {
    const made = await makeReport(
      {
        store,
        search: new SearchService(store.db),
        cases: new CaseService(store, officer, (action, details) => {
          void journal.append(action, details).catch(() => {});
        }),
        journal,
        officer,
        custosVersion: CUSTOS_VERSION,
      },
      {
        template,
        period: values.period,
        caseId,
        organisation: values.organisation ?? 'the organisation',
        systems: values.systems
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        classification: values.classification ?? 'Confidential',
        version: values.version ?? '1.0',
        signatory: values.signatory
          ? { name: values.signatory, role: values.role ?? 'Compliance officer' }
          : undefined,
        sign,
        out: outPath,
      },
    );
    const { pdf: _pdf, ...record } = made;
    void _pdf;
    if (values.json) out.json(record);
    else
      out.line(
        `${record.title}: ${outPath} (${record.size} bytes, SHA-256 ${record.sha256}), ${record.cited} cited events with their proofs${record.signer ? `, signed by ${record.signer}` : ', not signed'}`,
      );
    return EXIT_OK;
  } finally {
    store.close();
  }
}

export async function verifyReportCommand(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { trust: { type: 'string' }, json: { type: 'boolean' } },
    true,
  );
  if (positionals.length !== 1) throw new UsageError('verify-report takes one PDF file');
  const trust = await readTrust(required(values.trust, '--trust'));
  const pdf = new Uint8Array(await readFile(positionals[0]));
  if (Buffer.from(pdf.subarray(0, 5)).toString('latin1') !== '%PDF-')
    throw new UsageError(`${positionals[0]} is not a PDF file`);
  const r = await verifyReport(pdf, trust);
  if (values.json) out.json(r);
  else {
    for (const s of r.signature.signatures)
      out.line(
        `signature ${s.field}: ${s.signer ? `by ${s.signer.subject}, issued by ${s.signer.issuer}` : 'no certificate'}; ${s.coversWholeFile ? 'covers the whole file' : 'does NOT cover the whole file'}; ${s.digestOk && s.signatureOk ? 'verifies' : 'does NOT verify'}${s.signingCertificateV2 ? '; PAdES signing-certificate-v2 present' : ''}${s.timestamp ? `; timestamped ${s.timestamp}` : ''}`,
      );
    for (const c of r.checkpoints)
      out.line(
        `${c.name}: ${c.ok ? `checkpoint of ${c.origin} at size ${c.size}, signed by a trusted key` : c.problem}`,
      );
    const good = r.proofs.filter((p) => p.ok).length;
    out.line(`${good} of ${r.proofs.length} embedded event proofs verify`);
    for (const p of r.problems) out.line(`PROBLEM ${p}`);
    out.line(
      r.ok ? 'result: OK, the report verifies' : `result: FAILED, ${r.problems.length} problem(s)`,
    );
  }
  if (!r.ok) out.error(`custos verify-report: ${r.problems[0]}`);
  return r.ok ? EXIT_OK : EXIT_VERIFY_FAILED;
}
