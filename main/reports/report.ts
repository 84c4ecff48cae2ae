/**
 * Making a report: the numbers and citations from the cache (build), the pages (rendered in a
 * worker), the evidence attached inside the PDF, then the officer's PAdES signature over all of
 * it. The PDF is written as a new file (0600) and kept in the report history with its SHA-256,
 * and the making goes on the officer's activity journal.
 */
import { createHash } from 'node:crypto';
import { link, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FONTS_DIR } from './fonts';
import type { JsonValue } from '../../shared/entry/json';
import type { CacheStore } from '../store/cacheStore';
import { TRUST_META } from '../store/cacheStore';
import type { SearchService } from '../search/service';
import type { CaseService } from '../cases/service';
import type { Journal } from '../journal/journal';
import { buildReport, ReportError } from './build';
import { renderPdfInWorker } from './render';
import { attachFiles } from './pdfAttachments';
import { checkSigningIdentity, signPdf } from './pdfSign';

export const REPORT_TEMPLATES = [
  'quarterly',
  'monthly',
  'weekly',
  'daily',
  'investigation',
  'certificate',
] as const;
export type ReportTemplate = (typeof REPORT_TEMPLATES)[number];

export interface ReportOptions {
  template: ReportTemplate;
  period?: string;
  caseId?: number;
  organisation: string;
  systems?: string[];
  classification: string;
  version: string;
  signatory?: { name: string; role: string };
  /** Sign with this PKCS#12 (its passphrase never leaves memory). */
  sign?: { p12: Uint8Array; passphrase: string; tsaUrl?: string };
  /** Where the PDF goes: a new file, refused if it exists. */
  out: string;
}

export interface ReportRecord {
  id: number;
  template: string;
  period: string | null;
  caseId: number | null;
  title: string;
  path: string;
  createdAt: number;
  createdBy: string;
  sha256: string;
  size: number;
  signer: string | null;
  cited: number;
}

export interface ReportContext {
  store: CacheStore;
  search: SearchService;
  cases: CaseService;
  journal: Journal | null;
  officer: string;
  custosVersion: string;
}

/** Writes bytes to a new file whole or not at all: a temporary sibling, then linked into place. */
async function writeNew(path: string, data: Uint8Array) {
  const tmp = `${path}.partial-${process.pid}`;
  const f = await open(tmp, 'wx', 0o600);
  try {
    await f.writeFile(data);
    await f.sync();
  } finally {
    await f.close();
  }
  try {
    // A report is evidence: an existing file of the same name is never replaced (link fails).
    await link(tmp, path);
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code === 'EEXIST'
      ? new ReportError(`${path} already exists: choose another file name`)
      : e;
  } finally {
    await rm(tmp, { force: true });
  }
}

export async function makeReport(
  ctx: ReportContext,
  opts: ReportOptions,
  onProgress: (step: string) => void = () => {},
): Promise<ReportRecord & { pdf: Uint8Array }> {
  if (opts.sign) {
    onProgress('opening the signing certificate');
    await checkSigningIdentity(opts.sign.p12, opts.sign.passphrase);
  }
  onProgress('gathering the figures');
  const built = await buildReport(
    {
      store: ctx.store,
      search: ctx.search,
      cases: ctx.cases,
      trustText: ctx.store.getMeta(TRUST_META),
      journalCheckpoint: ctx.journal?.checkpoint() ?? null,
      custosVersion: ctx.custosVersion,
    },
    {
      template: opts.template,
      period: opts.period,
      caseId: opts.caseId,
      organisation: opts.organisation,
      systems: opts.systems,
      classification: opts.classification,
      version: opts.version,
      signatory: opts.signatory,
      generatedBy: ctx.officer,
    },
    onProgress,
  );
  onProgress('rendering the pages');
  let pdf = await renderPdfInWorker(built.docDefinition);
  onProgress('attaching the evidence');
  if (built.evidence.length > 0)
    pdf = await attachFiles(
      pdf,
      built.evidence.map((f) => ({
        name: f.name,
        data: f.data,
        mimeType: f.mimeType,
        description: f.description,
      })),
    );
  let signer: string | null = null;
  if (opts.sign) {
    onProgress('signing');
    pdf = await signPdf(pdf, {
      p12: opts.sign.p12,
      passphrase: opts.sign.passphrase,
      reason: `${built.title}: certified by ${opts.signatory?.name ?? ctx.officer}`,
      tsaUrl: opts.sign.tsaUrl,
      visible: {
        pageIndex: built.signature.pageIndex,
        rect: built.signature.rect,
        // The report's own font, so any signer's name shows as written.
        font: {
          regular: await readFile(join(FONTS_DIR, 'DejaVuSans.ttf')),
          bold: await readFile(join(FONTS_DIR, 'DejaVuSans-Bold.ttf')),
        },
      },
    });
    signer = opts.signatory?.name ?? ctx.officer;
  }
  onProgress('writing the file');
  await writeNew(opts.out, pdf);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const createdAt = Date.now();
  const r = ctx.store.db
    .prepare(
      `INSERT INTO reports (template, period, case_id, title, path, created_at, created_by, sha256, size, signer, cited)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      opts.template,
      opts.period ?? null,
      opts.caseId ?? null,
      built.title,
      opts.out,
      createdAt,
      ctx.officer,
      sha256,
      pdf.length,
      signer,
      built.cited.length,
    );
  const details: Record<string, JsonValue> = {
    template: opts.template,
    period: opts.period ?? null,
    case: opts.caseId ?? null,
    path: opts.out,
    sha256,
    signed: signer !== null,
  };
  await ctx.journal?.append('report.create', details);
  return {
    id: Number(r.lastInsertRowid),
    template: opts.template,
    period: opts.period ?? null,
    caseId: opts.caseId ?? null,
    title: built.title,
    path: opts.out,
    createdAt,
    createdBy: ctx.officer,
    sha256,
    size: pdf.length,
    signer,
    cited: built.cited.length,
    pdf,
  };
}

type ReportDbRow = Record<string, unknown>;

function toRecord(r: ReportDbRow): ReportRecord {
  return {
    id: r.id as number,
    template: r.template as string,
    period: r.period as string | null,
    caseId: r.case_id as number | null,
    title: r.title as string,
    path: r.path as string,
    createdAt: r.created_at as number,
    createdBy: r.created_by as string,
    sha256: r.sha256 as string,
    size: r.size as number,
    signer: r.signer as string | null,
    cited: r.cited as number,
  };
}

/** The reports made in this workspace, newest first. */
export function reportHistory(store: CacheStore, limit = 100): ReportRecord[] {
  return (
    store.db.prepare('SELECT * FROM reports ORDER BY id DESC LIMIT ?').all(limit) as ReportDbRow[]
  ).map(toRecord);
}

/** One report of the history, or null. */
export function reportById(store: CacheStore, id: number): ReportRecord | null {
  const r = store.db.prepare('SELECT * FROM reports WHERE id = ?').get(id) as
    ReportDbRow | undefined;
  return r ? toRecord(r) : null;
}
