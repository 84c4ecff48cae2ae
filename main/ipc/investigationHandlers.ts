/**
 * The handlers of the investigation channels: cases, detections and the activity journal. Every
 * change goes through the case service, which records it in the case's custody log and in the
 * officer's journal.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { makeReport, reportById, reportHistory } from '../reports/report';
import { PdfSignError } from '../reports/pdfSign';
import { ReportError } from '../reports/build';
import { PeriodError } from '../../shared/reports/period';
import { dirname, join } from 'node:path';
import type { InvestigationChannel } from '../../shared/ipc/investigationsContract';
import { fromBase64 } from '../../shared/bytes';
import { CaseError, CaseService } from '../cases/service';
import { BundleError, exportCase, importCase } from '../cases/bundle';
import { BagError } from '../cases/bagit';
import { runDetections } from '../detect/engine';
import { BUILT_IN_RULES } from '../detect/rules';
import type { SearchService } from '../search/service';
import type { TrustPolicy } from '../../shared/tlog/policy';
import type { Handlers, Workspace } from './handlers';
import { HandlerError } from './handlers';
import type { Journal } from '../journal/journal';

const slug = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'case';

export function investigationHandlers(
  ws: Workspace,
  search: SearchService,
  policy: () => TrustPolicy | null,
  journal: Journal | null,
  trustText: () => string | null,
): Pick<Handlers, InvestigationChannel> {
  // Case changes are journalled as they happen; each handler waits for its journal entries, so
  // an action is answered only once it is on the officer's trail.
  let pending: Array<Promise<unknown>> = [];
  const cases = new CaseService(ws.store, ws.officer ?? 'officer', (action, details) => {
    if (journal) pending.push(journal.append(action, details));
  });
  /** Runs a case operation; case errors keep their meaning across the boundary. */
  async function guarded<T>(run: () => T | Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await run();
    } catch (e) {
      await Promise.allSettled(pending);
      pending = [];
      if (e instanceof CaseError)
        throw new HandlerError(e.message, e.kind === 'not-found' ? 'not-found' : 'failed');
      if (
        e instanceof BagError ||
        e instanceof BundleError ||
        e instanceof PdfSignError ||
        e instanceof ReportError ||
        e instanceof PeriodError
      )
        throw new HandlerError(e.message);
      throw e;
    }
    const waiting = pending;
    pending = [];
    await Promise.all(waiting);
    return value;
  }
  const exportsDir = ws.exportsDir ?? join(dirname(ws.cachePath), 'exports');

  return {
    'cases.list': () => cases.list(),
    'cases.get': ({ id }) => guarded(() => cases.get(id)),
    'cases.create': ({ entryIds, reason, ...input }) =>
      guarded(() => {
        const c = cases.create(input);
        if (entryIds?.length) cases.addEvents(c.id, entryIds, reason ?? '');
        return cases.get(c.id);
      }),
    'cases.update': ({ id, ...patch }) => guarded(() => cases.update(id, patch)),
    'cases.setStatus': ({ id, status }) => guarded(() => cases.setStatus(id, status)),
    'cases.events': ({ id, query }) => guarded(() => cases.events(id, query ?? '')),
    'cases.addEvents': ({ id, entryIds, reason }) =>
      guarded(() => cases.addEvents(id, entryIds, reason ?? '')),
    'cases.removeEvent': ({ id, eventId }) =>
      guarded(() => {
        cases.removeEvent(id, eventId);
        return null;
      }),
    'cases.tag': ({ id, eventIds, tag, remove }) =>
      guarded(() => {
        cases.tagEvents(id, eventIds, tag, remove ?? false);
        return null;
      }),
    'cases.notes': ({ id }) => guarded(() => cases.notes(id)),
    'cases.addNote': ({ id, body, eventId }) =>
      guarded(() => cases.addNote(id, body, eventId ?? null)),
    'cases.evidence': ({ id }) => guarded(() => cases.evidenceList(id)),
    'cases.addEvidence': ({ id, name, dataBase64 }) =>
      guarded(() => {
        let data: Uint8Array;
        try {
          data = fromBase64(dataBase64);
        } catch {
          throw new CaseError(`${name}: the file did not arrive intact (bad base64)`);
        }
        return cases.addEvidence(id, name, data);
      }),
    'cases.saveEvidence': ({ id, evidenceId }) =>
      guarded(async () => {
        const c = cases.get(id);
        const { file, data } = cases.evidenceData(id, evidenceId);
        const done = () =>
          cases.activity('evidence.export', { case: c.uid, name: file.name, sha256: file.sha256 });
        if (ws.offerDownload) {
          const download = ws.offerDownload(
            file.name,
            'application/octet-stream',
            async (write) => {
              await write(data);
              return data.length;
            },
          );
          done();
          return { download, path: null };
        }
        if (!ws.chooseSavePath) throw new CaseError('saving files is not available here');
        const path = await ws.chooseSavePath(file.name);
        if (!path) throw new CaseError('saving the evidence file was cancelled');
        // A new file only: evidence never overwrites anything.
        await writeFile(path, data, { flag: 'wx', mode: 0o600 });
        done();
        return { download: null, path };
      }),
    'cases.timeline': ({ id }) => guarded(() => cases.timeline(id)),
    'cases.custody': ({ id }) => guarded(() => cases.custodyLog(id)),
    'cases.export': ({ id }) =>
      guarded(async () => {
        const c = cases.get(id);
        const trust = trustText();
        if (!trust)
          throw new CaseError('this workspace has no trust policy yet: set one on the Sync screen');
        const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
        const name = `case-${c.id}-${slug(c.title)}-${stamp}`;
        const chosen = ws.chooseSavePath ? await ws.chooseSavePath(name) : null;
        if (ws.chooseSavePath && chosen === null) throw new CaseError('export cancelled');
        const dir = chosen ?? join(exportsDir, name);
        mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
        return exportCase(cases, id, dir, {
          trustText: trust,
          journalCheckpoint: journal?.checkpoint() ?? null,
        });
      }),
    'cases.import': ({ dir }) =>
      guarded(async () => {
        const r = await importCase(cases, dir.trim(), policy());
        return r;
      }),
    'reports.make': ({ sign, ...req }) =>
      guarded(async () => {
        const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
        const fileName = `custos-${req.template}-${req.period ?? (req.caseId ? `case-${req.caseId}` : 'report')}-${stamp}.pdf`;
        const chosen = ws.chooseSavePath ? await ws.chooseSavePath(fileName) : null;
        if (ws.chooseSavePath && chosen === null) throw new CaseError('the report was cancelled');
        const out = chosen ?? join(exportsDir, 'reports', fileName);
        mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
        let p12: Uint8Array | undefined;
        if (sign) {
          try {
            p12 = fromBase64(sign.p12Base64);
          } catch {
            throw new CaseError('the PKCS#12 file did not arrive intact (bad base64)');
          }
        }
        const made = await makeReport(
          {
            store: ws.store,
            search,
            cases,
            journal,
            officer: ws.officer ?? 'officer',
            custosVersion: ws.custosVersion ?? 'unknown',
          },
          {
            ...req,
            sign: sign && p12 ? { p12, passphrase: sign.passphrase } : undefined,
            out,
          },
          (step) => ws.emit('report.progress', { step }),
        );
        const { pdf, ...record } = made;
        const download = ws.offerDownload
          ? ws.offerDownload(fileName, 'application/pdf', async (write) => {
              await write(pdf);
              return pdf.length;
            })
          : null;
        return { record, download };
      }),
    'reports.history': () => reportHistory(ws.store),
    'reports.pdf': ({ id }) =>
      guarded(async () => {
        const r = reportById(ws.store, id);
        if (!r) throw new CaseError(`no report ${id}`, 'not-found');
        let data: Buffer;
        try {
          data = await readFile(r.path);
        } catch (e) {
          throw new CaseError(`${r.path}: ${(e as Error).message}`);
        }
        const sha = createHash('sha256').update(data).digest('hex');
        if (sha !== r.sha256)
          throw new CaseError(
            `${r.path} has changed since it was made: its SHA-256 is ${sha}, the report had ${r.sha256}`,
          );
        return { base64: data.toString('base64') };
      }),
    'detect.run': async () => {
      const started = performance.now();
      const findings = runDetections(search);
      const rules = BUILT_IN_RULES.length;
      const ms = Math.round(performance.now() - started);
      await journal?.append('detect.run', { rules, findings: findings.length });
      return { findings, rules, ms };
    },
    'journal.list': async ({ limit }) => {
      if (!journal) return { size: 0, origin: null, entries: [] };
      return journal.listForConsole(limit ?? 200);
    },
    'journal.verify': async () => {
      if (!journal) return { ok: true, size: 0, problems: [] };
      const r = await journal.verify();
      return { ok: r.ok, size: r.size, problems: r.problems };
    },
  };
}
