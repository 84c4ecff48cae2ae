/**
 * Builds a report: gathers its figures and events from the cache (data.ts), lays them out with
 * its template, cites every event it lists, and collects the evidence the PDF will carry (the
 * checkpoints, the trust policy and a proof for every cited event). Rendering, attaching and
 * signing are the caller's (report.ts), so that this stays a pure step over the cache.
 *
 * A template is laid out twice: the first pass records which events it cites, the evidence is
 * collected for exactly those, and the second pass prints the evidence manifest. So the manifest
 * can never miss an event the pages cite.
 */
import type { CaseService } from '../cases/service';
import type { SearchService } from '../search/service';
import type { CacheStore } from '../store/cacheStore';
import {
  gatherCase,
  gatherCertificate,
  gatherPeriod,
  policyOf,
  type Figure,
  type QueryCount,
} from './data';
import { collectEvidence, proofName, type CitedEvent, type EvidenceFile } from './evidence';
import { parsePeriod, type PeriodKind } from '../../shared/reports/period';
import type { DocDefinition } from './render';
import {
  safe,
  SIGNATURE_BOX,
  signatureRect,
  type Citer,
  type ReportMeta,
} from './templates/common';
import { certificateReport, CERTIFICATE_SIGNATURE_BOX } from './templates/certificate';
import { investigationReport } from './templates/investigation';
import { quarterlyReport, QUARTERLY_SIGNATURE_PAGE } from './templates/quarterly';
import { COVER_SIGNATURE_BOX, summaryReport } from './templates/summary';

export type TemplateName =
  'quarterly' | 'monthly' | 'weekly' | 'daily' | 'investigation' | 'certificate';

export interface BuildContext {
  store: CacheStore;
  search: SearchService;
  cases: CaseService;
  /** The workspace's trust policy (c2sp.org/tlog-policy text); null: nothing can be proved. */
  trustText: string | null;
  /** The officer's activity journal checkpoint, attached as evidence when given. */
  journalCheckpoint?: string | null;
  custosVersion: string;
}

export interface BuildRequest {
  template: TemplateName;
  /** `2026-Q3`, `2026-08`, `2026-W33` or `2026-08-14`, matching the template. */
  period?: string;
  /** The case an investigation report is about. */
  caseId?: number;
  organisation: string;
  systems?: string[];
  classification: string;
  version: string;
  signatory?: { name: string; role: string };
  generatedBy: string;
  /** The report's date (ms); now by default. */
  now?: number;
}

export interface BuiltReport {
  title: string;
  /** A file name for the PDF, e.g. `quarterly-2026-Q3-v1.0.pdf`. */
  fileName: string;
  docDefinition: DocDefinition;
  /** The events the report lists, each once, in the order first cited. */
  cited: CitedEvent[];
  /** The files to attach to the PDF (from collectEvidence). */
  evidence: EvidenceFile[];
  /** Every number the report prints, by key (see data.ts for each one's SQL). */
  figures: Record<string, number>;
  /** The same figures with the statements that produced them. */
  figureSources: Figure[];
  queries: QueryCount[];
  /** Where the signer's visible signature goes: page (0-based) and rectangle in PDF points. */
  signature: { pageIndex: number; rect: [number, number, number, number] };
}

export class ReportError extends Error {
  override name = 'ReportError';
}

const TITLES: Record<TemplateName, string> = {
  quarterly: 'Quarterly certified compliance report',
  monthly: 'Monthly audit summary',
  weekly: 'Weekly compliance report',
  daily: 'Daily activity summary',
  investigation: 'Investigation report',
  certificate: 'Log-verification certificate',
};

const PERIOD_OF: Partial<Record<TemplateName, { kind: PeriodKind; example: string }>> = {
  quarterly: { kind: 'quarter', example: '2026-Q3' },
  monthly: { kind: 'month', example: '2026-08' },
  weekly: { kind: 'week', example: '2026-W33' },
  daily: { kind: 'day', example: '2026-08-14' },
};

/** A citer that remembers what it cites. */
function citer(proofs: boolean, cited: Map<string, CitedEvent>): Citer {
  return {
    proofs,
    ref(origin, index) {
      const key = `${origin}\n${index}`;
      if (!cited.has(key)) cited.set(key, { origin, index });
      return `${origin} #${index}`;
    },
    proof: (origin, index) => (proofs ? proofName({ origin, index }) : null),
  };
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');

/**
 * Builds a report's document definition, citations and evidence from the cache. Throws a
 * ReportError naming what is wrong: a missing or mismatched period, an unknown case, a period
 * with no entry, an event whose proof cannot be made.
 */
export async function buildReport(
  ctx: BuildContext,
  req: BuildRequest,
  onProgress: (step: string) => void = () => {},
): Promise<BuiltReport> {
  const now = req.now ?? Date.now();
  const title = TITLES[req.template];
  if (!title)
    throw new ReportError(
      `unknown report template ${JSON.stringify(req.template)}: use one of ${Object.keys(TITLES).join(', ')}`,
    );
  for (const [what, v] of [
    ['organisation', req.organisation],
    ['classification', req.classification],
    ['version', req.version],
    ['generatedBy', req.generatedBy],
  ] as const)
    if (typeof v !== 'string' || v.trim() === '')
      throw new ReportError(
        `the report needs ${what === 'generatedBy' ? 'the name of who makes it' : `an ${what}`}`,
      );
  let policy;
  try {
    policy = policyOf(ctx.trustText);
  } catch (e) {
    throw new ReportError(`the workspace's trust policy: ${(e as Error).message}`);
  }
  const proofs = ctx.trustText !== null;
  const meta = (subtitle: string): ReportMeta => ({
    title,
    subtitle,
    organisation: req.organisation.trim(),
    systems: req.systems ?? [],
    classification: req.classification.trim(),
    version: req.version.trim(),
    generatedBy: req.generatedBy.trim(),
    generatedAt: now,
    custosVersion: ctx.custosVersion,
    ...(req.signatory ? { signatory: req.signatory } : {}),
  });

  let layout: (c: Citer, evidence: EvidenceFile[], cited: number) => DocDefinition;
  let figures: Figure[];
  let queries: QueryCount[] = [];
  let signature: BuiltReport['signature'];
  let fileName: string;

  const periodSpec = PERIOD_OF[req.template];
  if (periodSpec) {
    if (!req.period)
      throw new ReportError(
        `the ${req.template} report needs a period, e.g. --period ${periodSpec.example}`,
      );
    let period;
    try {
      period = parsePeriod(req.period);
    } catch (e) {
      throw new ReportError((e as Error).message);
    }
    if (period.kind !== periodSpec.kind)
      throw new ReportError(
        `the ${req.template} report takes a ${periodSpec.kind} (like ${periodSpec.example}), not ${period.id}`,
      );
    let data;
    try {
      data = gatherPeriod(
        { store: ctx.store, search: ctx.search, cases: ctx.cases, policy, now },
        period,
        onProgress,
      );
    } catch (e) {
      throw new ReportError((e as Error).message);
    }
    const m = meta(period.label);
    figures = data.figures;
    queries = data.queries;
    fileName = `${req.template}-${period.id}-v${fileSafe(m.version)}.pdf`;
    if (req.template === 'quarterly') {
      layout = (c, evidence, cited) =>
        quarterlyReport({ data, meta: m, citer: c, evidence }, cited);
      signature = { pageIndex: QUARTERLY_SIGNATURE_PAGE, rect: signatureRect(SIGNATURE_BOX) };
    } else {
      layout = (c, evidence, cited) => summaryReport({ data, meta: m, citer: c, evidence }, cited);
      signature = { pageIndex: 0, rect: signatureRect(COVER_SIGNATURE_BOX) };
    }
  } else if (req.template === 'investigation') {
    if (req.caseId === undefined)
      throw new ReportError('the investigation report needs a case: give its number (--case N)');
    onProgress('reading the case');
    let data;
    try {
      data = gatherCase(ctx.store, ctx.cases, req.caseId);
    } catch (e) {
      throw new ReportError((e as Error).message);
    }
    const m = meta(`Case #${data.case.id}: ${safe(data.case.title, 200, 1000)}`);
    figures = data.figures;
    fileName = `investigation-case-${data.case.id}-v${fileSafe(m.version)}.pdf`;
    layout = (c, evidence, cited) =>
      investigationReport({ data, meta: m, citer: c, evidence }, cited);
    signature = { pageIndex: 0, rect: signatureRect(COVER_SIGNATURE_BOX) };
  } else {
    onProgress('verifying the cache');
    const data = gatherCertificate(ctx.store, policy, now);
    const m = meta(
      data.logs.length === 1 ? safe(data.logs[0].origin, 200, 1000) : `${data.logs.length} logs`,
    );
    figures = data.figures;
    fileName = `certificate-${new Date(now).toISOString().slice(0, 10)}-v${fileSafe(m.version)}.pdf`;
    layout = (c, evidence) => certificateReport({ data, meta: m, citer: c, evidence });
    signature = { pageIndex: 0, rect: signatureRect(CERTIFICATE_SIGNATURE_BOX) };
  }

  onProgress('laying out the report');
  const first = new Map<string, CitedEvent>();
  layout(citer(proofs, first), [], 0);
  const cited = [...first.values()];
  onProgress(`proving ${cited.length} cited events`);
  let evidence: EvidenceFile[] = [];
  if (ctx.trustText !== null) {
    try {
      evidence = collectEvidence(ctx.store, ctx.trustText, cited, ctx.journalCheckpoint ?? null);
    } catch (e) {
      throw new ReportError((e as Error).message);
    }
  }
  const second = new Map<string, CitedEvent>();
  const docDefinition = layout(citer(proofs, second), evidence, cited.length);
  if (second.size !== first.size)
    throw new ReportError('the report cites different events on its second layout');

  const out: Record<string, number> = {};
  for (const f of figures) out[f.key] = f.value;
  out.cited = cited.length;
  return {
    title,
    fileName,
    docDefinition,
    cited,
    evidence,
    figures: out,
    figureSources: figures,
    queries,
    signature,
  };
}
