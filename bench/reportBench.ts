/**
 * The report figure: the quarterly certified report for 2026-Q3 over the benchmark cache, made by
 * `custos report` from start to end (figures from SQL, pages in the worker, evidence attached,
 * PAdES signature), beside pdfmake rendering an empty document of the same page count.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPdf } from '../main/reports/render';
import type { Row } from './lib';
import { timeCommand } from './lib';

/** A throwaway RSA signing certificate as a PKCS#12, made with openssl. */
function benchP12(work: string, passphrase: string): string {
  const key = join(work, 'officer.key');
  const cert = join(work, 'officer.pem');
  const p12 = join(work, 'officer.p12');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/C=ZA/O=Custos Benchmark/CN=Bench Officer',
      '-addext',
      'keyUsage=critical,digitalSignature,nonRepudiation',
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'pkcs12',
      '-export',
      '-inkey',
      key,
      '-in',
      cert,
      '-out',
      p12,
      '-passout',
      'env:CUSTOS_P12_PASS',
    ],
    { stdio: 'ignore', env: { ...process.env, CUSTOS_P12_PASS: passphrase } },
  );
  return p12;
}

export async function reportFigures(opts: {
  repo: string;
  work: string;
  cache: string;
  key: Buffer;
}) {
  const { repo, work, cache, key } = opts;
  const passphrase = 'bench passphrase';
  const p12 = benchP12(work, passphrase);
  const out = join(work, 'quarterly-2026-Q3.pdf');
  const made = await timeCommand(
    process.execPath,
    [
      join(repo, 'bin/custos.mjs'),
      'report',
      '--cache',
      cache,
      '--template',
      'quarterly',
      '--period',
      '2026-Q3',
      '--out',
      out,
      '--sign',
      p12,
      '--organisation',
      'Custos Benchmark',
      '--signatory',
      'Bench Officer',
      '--role',
      'Compliance officer',
      '--json',
    ],
    { env: { CUSTOS_CACHE_KEY: key.toString('hex'), CUSTOS_P12_PASS: passphrase } },
  );
  const pages = Number(
    /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [out], { encoding: 'utf8' }))![1],
  );
  // The reference: pdfmake alone, an empty document of as many pages, in this process.
  const t = performance.now();
  const empty = await renderPdf({
    content: Array.from({ length: pages }, (_, i) => ({
      text: '',
      pageBreak: i > 0 ? 'before' : undefined,
    })),
  } as never);
  const emptySeconds = (performance.now() - t) / 1000;
  writeFileSync(join(work, 'empty.pdf'), empty);
  const rows: Row[] = [
    {
      figure: `quarterly report 2026-Q3 (${pages} pages): figures, render, evidence, PAdES signature`,
      custos: `${made.seconds.toFixed(2)} s`,
      reference: `pdfmake, empty ${pages} pages: ${emptySeconds.toFixed(2)} s`,
      ratio: (made.seconds / emptySeconds).toFixed(1),
      goal: '<= 10 s in all',
    },
  ];
  return {
    rows,
    results: {
      report: {
        seconds: made.seconds,
        pages,
        peakRssMb: made.peakRssMb,
        emptyRenderSeconds: emptySeconds,
      },
    },
  };
}
