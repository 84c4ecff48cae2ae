/**
 * One template for the monthly audit summary, the weekly compliance report and the daily activity
 * summary. They show what the quarterly report shows, in less depth: activity per day (a month, a
 * week) or per hour (a day), and the daily summary lists its notable events hour by hour.
 */
import type { EventRow, PeriodData } from '../data';
import type { DocDefinition, Node } from '../render';
import {
  cover,
  document,
  eventCell,
  fmtInt,
  fmtTime,
  h1,
  h2,
  hash,
  keyValue,
  lead,
  note,
  para,
  safe,
  signatureBlock,
  table,
  type Citer,
} from './common';
import {
  accessSection,
  activitySection,
  exceptionsAtAGlance,
  exceptionsSection,
  headline,
  integritySection,
  investigationsSection,
  manifestAppendix,
  privacySection,
  queriesAppendix,
  type PeriodReportInput,
} from './quarterly';
import { PAGE_MARGINS } from '../render';

/** The sign-off box of reports signed on their cover (summaries, investigations). */
export const COVER_SIGNATURE_BOX = { x: PAGE_MARGINS[0], y: 628, w: 240, h: 76 };

const NAMES = {
  month: 'Monthly audit summary',
  week: 'Weekly compliance report',
  day: 'Daily activity summary',
  quarter: 'Quarterly summary',
};

/** The logs and their newest checkpoints, briefly. */
function logBrief(n: string, d: PeriodData): Node[] {
  return [
    h1(`${n}  The audit log`),
    ...d.logs.map((l) => {
      const cp = l.checkpoints[l.checkpoints.length - 1];
      return keyValue([
        ['Log (origin)', safe(l.origin, 200)],
        [
          'Entries in the period',
          l.firstIndex === null
            ? '0'
            : `${fmtInt(l.periodEntries)}, at indexes #${l.firstIndex} to #${l.lastIndex} (segments ${Math.floor(l.firstIndex / 256)} to ${Math.floor(l.lastIndex! / 256)})`,
        ],
        ['Entries in the cache', fmtInt(l.stored)],
        [
          'Newest checkpoint',
          cp ? `size ${fmtInt(cp.size)}, accepted ${fmtTime(cp.acceptedAt)}` : 'none',
        ],
        ['Root hash (SHA-256)', cp ? hash(cp.rootHex) : '—'],
        [
          'Signed by',
          cp
            ? cp.signers
                .map(
                  (s) =>
                    `${safe(s.name, 120)}+${s.keyId}${s.role === 'unknown' ? ' (not in the policy)' : ''}`,
                )
                .join(', ')
            : '—',
        ],
      ]);
    }),
  ];
}

/** A day's notable events, hour by hour. */
function hourByHour(n: string, d: PeriodData, c: Citer): Node[] {
  const byHour = new Map<number, EventRow[]>();
  for (const e of d.notable.slice(0, 400)) {
    const h = new Date(e.time!).getUTCHours();
    byHour.set(h, [...(byHour.get(h) ?? []), e]);
  }
  const rows: Node[][] = [];
  for (const b of d.buckets) {
    const h = new Date(b.start).getUTCHours();
    const evs = byHour.get(h) ?? [];
    if (evs.length === 0) continue;
    rows.push([
      {
        text: `${b.label}:00-${b.label}:59 UTC · ${fmtInt(b.total)} entries, ${fmtInt(b.failedLogins)} failed logins, ${fmtInt(b.security)} security, ${fmtInt(b.exports)} exports`,
        style: 'th',
        colSpan: 1,
        fillColor: '#eef2f7',
      },
    ]);
    for (const e of evs) rows.push([eventCell(c, e)]);
  }
  return [
    h1(`${n}  Notable events, hour by hour`),
    lead(
      'Security events, events of severity high or critical, privilege changes and exports outside the rules, breach records, data-subject requests opened or closed, and every event a detection rule matched.',
    ),
    rows.length
      ? table([{ header: 'Event', width: '*' }], rows)
      : para('No notable event on this day.'),
    ...(d.notable.length > 400
      ? [note(`${fmtInt(d.notable.length - 400)} more notable events are not listed.`)]
      : []),
  ];
}

/** Builds a monthly, weekly or daily summary. */
export function summaryReport(input: PeriodReportInput, cited: number): DocDefinition {
  const { data: d, meta, citer: c, evidence } = input;
  const kind = d.period.kind;
  const content: Node[] = [
    cover(
      meta,
      [
        [
          'Period',
          `${d.period.label}, ${fmtTime(d.period.from)} to ${fmtTime(d.period.to)} (end excluded)`,
        ],
        ['Audit log', d.logs.map((l) => safe(l.origin, 200)).join(', ') || '—'],
        ['Entries in the period', fmtInt(d.total)],
        ['Events cited', fmtInt(cited)],
      ],
      'Every number in this summary is computed from the audit log and can be reproduced with the query given in the appendix; every event it lists is cited by its log and entry index and the attached file that proves it.',
    ),
    ...signatureBlock(meta.signatory, meta.generatedAt, COVER_SIGNATURE_BOX),
    { text: ' ', id: 'signature-end', fontSize: 4, pageBreak: 'after' },
    h1('1  Summary'),
    headline(d),
    h2('Exceptions at a glance'),
    exceptionsAtAGlance(d),
    ...logBrief('2', d),
    ...integritySection('3', d, meta, cited, c.proofs),
    ...activitySection('4', d, kind === 'month' ? 'full' : 'brief'),
  ];
  let k = 5;
  if (kind === 'day') content.push(...hourByHour(String(k++), d, c));
  content.push(
    ...accessSection(String(k++), d, c),
    ...privacySection(String(k++), d, c),
    ...investigationsSection(String(k++), d, c),
    ...exceptionsSection(String(k), d, c),
    ...queriesAppendix('Appendix A', d),
    ...manifestAppendix('Appendix B  Evidence manifest', evidence, c.proofs),
  );
  return document(meta, content, {
    subject: `${NAMES[kind]}, ${d.period.label}`,
    right: d.period.id,
    anchors: [{ id: 'signature-end', pageIndex: 0, maxTop: COVER_SIGNATURE_BOX.y - 24 }],
  });
}
