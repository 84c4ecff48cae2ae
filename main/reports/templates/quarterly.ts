/**
 * The quarterly certified compliance report: what Legal signs and a regulator or a court may test
 * years later. Every number in it is a figure of data.ts (kept with its SQL), every event it lists
 * is cited by its log and entry index with the name of the proof attached to the PDF.
 *
 * The sections of a period (activity, access, privacy, investigations, exceptions, appendices)
 * are exported for the monthly, weekly and daily summaries, which show the same things in less
 * depth.
 */
import type { EvidenceFile } from '../evidence';
import type { LogInfo, PeriodData } from '../data';
import { LARGE_EXPORT, MAX_LISTED } from '../data';
import type { DocDefinition, Node } from '../render';
import { ACCENT } from '../render';
import {
  barList,
  cell,
  citation,
  columnChart,
  cover,
  document,
  eventCell,
  figures,
  fmtDate,
  fmtInt,
  fmtPct,
  fmtShortTime,
  fmtTime,
  framed,
  h1,
  h2,
  hash,
  keyValue,
  note,
  lead,
  para,
  safe,
  signatureBlock,
  SIGNATURE_BOX,
  status,
  table,
  type Citer,
  type ReportMeta,
} from './common';

export interface PeriodReportInput {
  data: PeriodData;
  meta: ReportMeta;
  citer: Citer;
  /** The files attached to the PDF (the evidence manifest). */
  evidence: EvidenceFile[];
}

/** The page (0-based) of the quarterly report that holds the signature box. */
export const QUARTERLY_SIGNATURE_PAGE = 1;

const SHORT_MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];
/** `3 Aug` */
const shortDay = (t: number) =>
  `${new Date(t).getUTCDate()} ${SHORT_MONTHS[new Date(t).getUTCMonth()]}`;

/** Registers of data-subject requests up to this long are listed request by request. */
const REGISTER_IN_FULL = 25;

const count = (n: number, one: string, many = `${one}s`) => `${fmtInt(n)} ${n === 1 ? one : many}`;

/** More listed than shown: one line saying so and how to find the rest. */
function more(shown: number, total: number, query: string): Node[] {
  return total > shown
    ? [
        note(
          `${fmtInt(total - shown)} more are counted above but not listed here; the query ${query} lists them all.`,
        ),
      ]
    : [];
}

// ------------------------------------------------------------------------------------------------
// Sections shared with the summaries

/** Headline figures. */
export function headline(d: PeriodData): Node {
  return figures([
    { label: 'entries in the period', value: d.total },
    { label: 'failed logins', value: d.failedLogins },
    { label: 'privilege changes', value: d.privilege.total },
    { label: 'exports', value: d.exports.total },
    { label: 'data-subject requests opened', value: d.privacy.opened },
    { label: 'requests past their deadline', value: d.privacy.overdue },
    { label: 'detection findings', value: d.findings.length },
    { label: 'integrity alarms', value: d.alarms.length },
  ]);
}

/** The exceptions, as a short list for the summary page. */
export function exceptionsAtAGlance(d: PeriodData): Node {
  const items: string[] = [];
  if (d.alarms.length)
    items.push(`${count(d.alarms.length, 'integrity alarm')} (section on exceptions)`);
  if (d.privacy.overdue)
    items.push(`${count(d.privacy.overdue, 'data-subject request')} past the deadline`);
  const noCase = d.findings.filter((f) => !f.inCase).length;
  if (d.findings.length)
    items.push(
      `${count(d.findings.length, 'detection finding')}, ${fmtInt(noCase)} of them not yet in a case`,
    );
  if (d.privilege.withoutTicket)
    items.push(`${count(d.privilege.withoutTicket, 'privilege change')} without a change ticket`);
  if (d.exports.notable.length)
    items.push(`${count(d.exports.notable.length, 'export')} that were large or at night`);
  if (d.privacy.breaches.length) items.push(`${count(d.privacy.breaches.length, 'breach record')}`);
  const gaps = d.logs.reduce((n, l) => n + l.gaps, 0);
  if (gaps) items.push(`${count(gaps, 'entry', 'entries')} missing from the cache`);
  return items.length
    ? { ul: items.map((t) => ({ text: t, style: 'body' })), margin: [0, 0, 0, 8] }
    : para('No exceptions were found in the period.');
}

/** The logs: where the events come from and what of them the period covers. */
export function auditLogSection(n: string, d: PeriodData): Node[] {
  return [
    h1(`${n}  The audit log`),
    para(
      'The events in this report come from a tamper-evident audit log in the C2SP tlog-tiles format: ' +
        'an append-only Merkle tree whose signed checkpoints commit to every entry before them. ' +
        'Custos copied the log into its encrypted cache, verifying every entry against a signed ' +
        'checkpoint before storing it, and computed every figure below from that cache.',
    ),
    table(
      [
        { header: 'Log (origin)', width: '*' },
        { header: 'Entries stored', width: 58, align: 'right' },
        { header: 'Entries in period', width: 58, align: 'right' },
        { header: 'Index range in period', width: 90 },
        { header: 'Segments', width: 60 },
      ],
      d.logs.map((l) => [
        safe(l.origin, 200),
        fmtInt(l.stored),
        fmtInt(l.periodEntries),
        l.firstIndex === null ? '—' : `#${l.firstIndex} to #${l.lastIndex}`,
        l.firstIndex === null
          ? '—'
          : `${Math.floor(l.firstIndex / 256)} to ${Math.floor(l.lastIndex! / 256)}`,
      ]),
    ),
    note(
      'A segment is one entry bundle of 256 entries (tile/entries/N). Entries are in the order ' +
        'the log received them; the index range is that of the entries whose time falls in the period.',
    ),
    h2('Sources'),
    table(
      [
        { header: 'Source system', width: '*' },
        { header: 'Entries', width: 70, align: 'right' },
        { header: 'Share', width: 50, align: 'right' },
        { header: 'Failed logins', width: 70, align: 'right' },
      ],
      d.bySource.map((s) => [
        safe(s.value, 200),
        fmtInt(s.count),
        fmtPct(s.count, d.total),
        fmtInt(d.failedBySource.find((f) => f.value === s.value)?.count ?? 0),
      ]),
    ),
    h2('Checkpoints'),
    ...d.logs.flatMap((l) => checkpointTable(l)),
    h2('Retention'),
    para(
      `The cache holds ${d.logs.map((l) => `${fmtInt(l.stored)} entries of ${safe(l.origin, 200)}, ` + `from ${fmtTime(l.firstTime)} to ${fmtTime(l.lastTime)}`).join('; ')}. ` +
        'The log itself is append-only: an entry, once in a checkpoint, can be neither changed nor ' +
        'removed without the change showing in every later checkpoint. The cache keeps every entry ' +
        'it has synced; nothing is purged from it.',
    ),
  ];
}

function checkpointTable(l: LogInfo): Node[] {
  if (l.checkpoints.length === 0)
    return [para(`${safe(l.origin, 200)}: no verified checkpoint in the cache.`)];
  return [
    table(
      [
        { header: 'Checkpoint', width: 62, align: 'right' },
        { header: 'Root hash (SHA-256, hex)', width: '*' },
        { header: 'Signed by', width: 118 },
        { header: 'Accepted', width: 64 },
      ],
      l.checkpoints.map((c) => [
        cell(`size ${fmtInt(c.size)}`),
        { stack: [hash(c.rootHex, 6.5, 188), { text: `base64 ${c.root}`, style: 'cite' }] },
        {
          stack: c.signers.map((s) => ({
            text: `${safe(s.name, 120)}+${s.keyId} (${s.role === 'log' ? 'log key' : s.role === 'witness' ? 'witness' : 'not in the policy'})`,
            style: 'td',
          })),
        },
        fmtShortTime(c.acceptedAt),
      ]),
    ),
  ];
}

/** What was checked for this report, and what it found. */
export function integritySection(
  n: string,
  d: PeriodData,
  meta: ReportMeta,
  cited: number,
  proofs: boolean,
): Node[] {
  const rows: Node[][] = [];
  for (const l of d.logs) {
    const newest = l.checkpoints[l.checkpoints.length - 1];
    const sigs = l.checkpoints.filter((c) => c.signatureOk === true).length;
    rows.push([
      cell(safe(l.origin, 200)),
      cell('Checkpoint signatures against the trust policy'),
      l.checkpoints.length === 0
        ? status(false, 'no checkpoint')
        : newest.signatureOk === null
          ? status('warn', 'not checked: no trust policy')
          : newest.signatureOk
            ? status(true, `verified (${sigs} of ${l.checkpoints.length})`)
            : status(false, safe(newest.problem ?? 'failed', 300)),
    ]);
    const rootProblems = l.checkpoints.filter((c) => !c.rootOk);
    rows.push([
      cell(''),
      cell('Stored hashes lead to each checkpoint root'),
      rootProblems.length === 0
        ? status(true, `verified (${l.checkpoints.length} of ${l.checkpoints.length})`)
        : status(false, safe(rootProblems[0].problem ?? 'mismatch', 300)),
    ]);
    rows.push([
      cell(''),
      cell('Entries 0 to the checkpoint size all present'),
      l.gaps === 0
        ? status(
            true,
            `complete: ${fmtInt(l.stored)} entries, checkpoint ${fmtInt(l.verifiedSize)}`,
          )
        : status(false, `${fmtInt(l.gaps)} missing`),
    ]);
  }
  rows.push([
    cell('All logs'),
    cell('Cited events re-hashed and proved against the signed checkpoint'),
    proofs
      ? status(true, `${fmtInt(cited)} of ${fmtInt(cited)} proved; proofs attached`)
      : status('warn', 'not proved: no trust policy in this workspace'),
  ]);
  rows.push([
    cell(''),
    cell('Integrity alarms (tampering, rollback, fork, bad signature) in the period or open'),
    d.alarms.length === 0 ? status(true, 'none') : status(false, count(d.alarms.length, 'alarm')),
  ]);
  return [
    h1(`${n}  Log integrity`),
    para(
      `Custos ${safe(meta.custosVersion, 40)} made these checks on ${fmtTime(meta.generatedAt)} for this report:`,
    ),
    table(
      [
        { header: 'Log', width: 130 },
        { header: 'Check', width: '*' },
        { header: 'Result', width: 150 },
      ],
      rows,
    ),
    note(
      'When the log was synced, every entry was verified against the signed tree before it was ' +
        'stored. The full re-verification of every stored entry at rest (each entry re-hashed, every ' +
        'tile and root recomputed) is the subject of the log-verification certificate, a separate ' +
        'report; the checks above are those this report makes itself.',
    ),
  ];
}

/** Activity over the period: a chart over time, categories, sources, the most frequent actions. */
export function activitySection(n: string, d: PeriodData, depth: 'full' | 'brief'): Node[] {
  const unitName = d.unit === 'week' ? 'week' : d.unit === 'day' ? 'day' : 'hour';
  const caption =
    d.unit === 'week'
      ? 'Entries per ISO week (weeks cut at the edges of the period).'
      : d.unit === 'day'
        ? 'Entries per day (UTC); weekends shaded.'
        : 'Entries per hour (UTC); night hours (22:00-06:00) shaded.';
  const out: Node[] = [
    h1(`${n}  Activity`),
    lead(
      `${fmtInt(d.total)} entries fall in the period, from ${d.bySource.length} source systems, in ${d.byCategory.length} categories.`,
    ),
    columnChart(
      d.buckets.map((b) => ({ label: b.label, value: b.total, shade: b.shade })),
      {
        caption,
        labelEvery: d.unit === 'hour' ? 1 : d.buckets.length > 16 ? 2 : 1,
      },
    ),
    h2('By category'),
    barList(
      d.byCategory.map((c) => ({ label: c.value, value: c.count })),
      d.total,
    ),
    h2('By source system'),
    barList(
      d.bySource.map((c) => ({ label: c.value, value: c.count })),
      d.total,
    ),
  ];
  if (depth === 'full') {
    const top = d.byAction.slice(0, 15);
    out.push(
      h2('The most frequent actions'),
      barList(
        top.map((c) => ({ label: c.value, value: c.count })),
        d.total,
      ),
      note(`${d.byAction.length} distinct actions in all; the 15 most frequent are shown.`),
      h2('By severity'),
      barList(
        d.bySeverity.map((c) => ({ label: c.value, value: c.count })),
        d.total,
      ),
    );
  }
  out.push(
    h2(`Per ${unitName}`),
    table(
      [
        {
          header: unitName === 'hour' ? 'Hour (UTC)' : unitName === 'day' ? 'Day' : 'Week',
          width: '*',
        },
        { header: 'Entries', width: 62, align: 'right' },
        { header: 'Failed logins', width: 62, align: 'right' },
        { header: 'Security', width: 62, align: 'right' },
        { header: 'Privacy', width: 62, align: 'right' },
        { header: 'Exports', width: 62, align: 'right' },
      ],
      d.buckets.map((b) => [
        d.unit === 'hour'
          ? `${b.label}:00-${b.label}:59`
          : d.unit === 'day'
            ? fmtDate(b.start)
            : `${b.label}: ${shortDay(b.start)} to ${shortDay(b.end - 1)}`,
        fmtInt(b.total),
        fmtInt(b.failedLogins),
        fmtInt(b.security),
        fmtInt(b.privacy),
        fmtInt(b.exports),
      ]),
    ),
  );
  return out;
}

/** Access and security: logins, failures, privilege changes, exports. */
export function accessSection(n: string, d: PeriodData, c: Citer): Node[] {
  const priv = d.privilege.notable.slice(0, MAX_LISTED);
  const exps = d.exports.notable.slice(0, MAX_LISTED);
  return [
    h1(`${n}  Access and security events`),
    keyValue([
      ['Logins', fmtInt(d.logins)],
      [
        'Failed logins',
        `${fmtInt(d.failedLogins)} (${fmtPct(d.failedLogins, d.logins)} of logins)`,
      ],
      ['Security events', fmtInt(d.security)],
      [
        'Privilege changes',
        `${fmtInt(d.privilege.total)}: ${d.privilege.actions.map((a) => `${fmtInt(a.count)} ${a.value}`).join(', ')}`,
      ],
      [
        'Exports',
        `${fmtInt(d.exports.total)}${d.exports.actions.length ? `: ${d.exports.actions.map((a) => `${fmtInt(a.count)} ${safe(a.value, 100)}`).join(', ')}` : ''}; ${fmtInt(d.exports.records)} records in all`,
      ],
    ]),
    h2('Failed logins'),
    {
      columns: [
        {
          width: '*',
          stack: [
            { text: 'By address', style: 'label', margin: [0, 0, 0, 2] },
            table(
              [
                { header: 'Address', width: '*' },
                { header: 'Failures', width: 50, align: 'right' },
              ],
              d.failedByIp.map((r) => [safe(r.value, 64), fmtInt(r.count)]),
            ),
          ],
        },
        {
          width: '*',
          stack: [
            { text: 'By account', style: 'label', margin: [0, 0, 0, 2] },
            table(
              [
                { header: 'Account', width: '*' },
                { header: 'Failures', width: 50, align: 'right' },
              ],
              d.failedByAccount.map((r) => [safe(r.value, 120), fmtInt(r.count)]),
            ),
          ],
        },
      ],
      columnGap: 16,
      unbreakable: true,
    },
    note(
      'The ten addresses and accounts with the most failed logins. A burst of failures followed by a success is a detection finding (see investigations).',
    ),
    h2('Privilege changes outside the rules'),
    lead(
      `Role changes and permission grants are made on weekdays between 07:00 and 19:00 UTC, each with a change ticket. ${fmtInt(d.privilege.withoutTicket)} had no change ticket and ${fmtInt(d.privilege.outsideHours)} were made outside those hours:`,
    ),
    priv.length
      ? table(
          [
            { header: 'Event', width: '*' },
            { header: 'Change', width: 120 },
            { header: 'Why listed', width: 90 },
          ],
          priv.map((e) => [eventCell(c, e), cell(safe(e.change, 400)), cell(e.reasons.join('; '))]),
        )
      : para('None.'),
    ...more(
      priv.length,
      d.privilege.notable.length,
      'action:(user.role.change OR permission.grant)',
    ),
    h2('Large or night-time exports'),
    lead(
      `Exports of more than ${LARGE_EXPORT} records, or made between 22:00 and 06:00 UTC (${fmtInt(d.exports.notable.length)} of ${fmtInt(d.exports.total)}):`,
    ),
    exps.length
      ? table(
          [
            { header: 'Event', width: '*' },
            { header: 'Records', width: 50, align: 'right' },
            { header: 'Why listed', width: 100 },
          ],
          exps.map((e) => [
            eventCell(c, e),
            e.records === null ? '—' : fmtInt(e.records),
            cell(e.reasons.join('; ')),
          ]),
        )
      : para('None.'),
    ...more(exps.length, d.exports.notable.length, 'action:*.export'),
  ];
}

/** Privacy: the data-subject request register, consent changes and breach records. */
export function privacySection(n: string, d: PeriodData, c: Citer): Node[] {
  const p = d.privacy;
  // Exceptions first, so that a long register never pushes an overdue request out of the list.
  // A short register is listed whole; a long one by its exceptions (past the deadline, or still
  // open), with every request counted in the table by type.
  const listAll = p.requests.length <= REGISTER_IN_FULL;
  const shown = (listAll ? p.requests : p.requests.filter((r) => r.overdue || !r.closed)).slice(
    0,
    MAX_LISTED,
  );
  const types = [...new Set(p.requests.map((r) => r.type))].sort();
  const byType = types.map((t) => {
    const rs = p.requests.filter((r) => r.type === t);
    const closed = rs.filter((r) => r.closed);
    const days = closed.map((r) => r.days).sort((a, b) => a - b);
    return [
      safe(t, 60),
      fmtInt(rs.length),
      fmtInt(closed.filter((r) => !r.overdue).length),
      fmtInt(closed.filter((r) => r.overdue).length),
      fmtInt(rs.filter((r) => !r.closed && !r.overdue).length),
      fmtInt(rs.filter((r) => !r.closed && r.overdue).length),
      days.length ? fmtInt(days[Math.floor((days.length - 1) / 2)]) : '—',
      days.length ? fmtInt(days[days.length - 1]) : '—',
    ];
  });
  return [
    h1(`${n}  Privacy records`),
    keyValue([
      ['Data-subject requests opened', fmtInt(p.opened)],
      ['Data-subject requests closed', fmtInt(p.closed)],
      [
        'Past their deadline',
        p.overdue
          ? {
              text: `${fmtInt(p.overdue)} (listed below and under exceptions)`,
              bold: true,
              color: '#a11d1d',
            }
          : '0',
      ],
      ['Open at the end of the period', fmtInt(p.openAtEnd)],
      ['Consents given', fmtInt(p.consentGiven)],
      ['Consents withdrawn', fmtInt(p.consentWithdrawn)],
      ['Breach records', fmtInt(p.breaches.length)],
    ]),
    h2('Data-subject requests'),
    lead(
      'Requests are matched to their closing event by attributes.requestId. POPIA and the GDPR give a month to answer; the deadline is the one recorded with the request, and a request is past it when it was closed after the end of that day, or was still open at the end of the period after it.',
    ),
    byType.length
      ? table(
          [
            { header: 'Type', width: '*' },
            { header: 'Requests', width: 42, align: 'right' },
            { header: 'Closed on time', width: 50, align: 'right' },
            { header: 'Closed late', width: 42, align: 'right' },
            { header: 'Open, in time', width: 46, align: 'right' },
            { header: 'Open, overdue', width: 48, align: 'right' },
            { header: 'Median days', width: 44, align: 'right' },
            { header: 'Longest', width: 40, align: 'right' },
          ],
          byType,
        )
      : para('No data-subject request was open in the period.'),
    ...(shown.length
      ? [
          lead(
            listAll
              ? 'Every request of the period, with its opening and closing event:'
              : 'The requests past their deadline or still open at the end of the period, with their events:',
          ),
          table(
            [
              { header: 'Request', width: 78 },
              { header: 'Opened and closed', width: '*' },
              { header: 'Deadline', width: 46 },
              { header: 'Days', width: 24, align: 'right' },
              { header: 'Outcome', width: 62 },
            ],
            shown.map((r) => [
              cell(safe(r.requestId, 100), {
                text: safe(`${r.type}${r.law ? `, ${r.law}` : ''}`, 120),
                style: 'cite',
              }),
              {
                stack: [
                  eventCell(c, r.opened),
                  r.closed
                    ? { ...(eventCell(c, r.closed) as object), margin: [0, 3, 0, 0] }
                    : { text: 'not closed', style: 'td', italics: true, margin: [0, 3, 0, 0] },
                ],
              },
              safe(r.deadlineText, 40),
              fmtInt(r.days),
              r.overdue ? status(false, r.status) : status(true, r.status),
            ]),
          ),
        ]
      : []),
    ...(listAll
      ? []
      : [
          note(
            `The other ${fmtInt(p.requests.length - shown.length)} requests were closed on time; the query action:(dsr.open OR gdpr.erasure.request) lists them all.`,
          ),
        ]),
    h2('Breach records'),
    p.breaches.length
      ? table(
          [
            { header: 'Record', width: '*' },
            { header: 'Breach', width: 64 },
            { header: 'Subjects', width: 44, align: 'right' },
            { header: 'Regulator notified', width: 60 },
          ],
          p.breaches
            .slice(0, MAX_LISTED)
            .map((b) => [
              eventCell(c, b, b.cause ? `cause: ${safe(b.cause, 300)}` : null),
              safe(b.breachId, 80),
              b.affected === null ? '—' : fmtInt(b.affected),
              b.regulatorNotified === null ? '—' : b.regulatorNotified ? 'yes' : 'no',
            ]),
        )
      : para('No breach was recorded in the period.'),
    ...more(
      Math.min(MAX_LISTED, p.breaches.length),
      p.breaches.length,
      'action:breach.record.create',
    ),
  ];
}

/** Investigations: cases opened and closed, and what the detection rules found. */
export function investigationsSection(n: string, d: PeriodData, c: Citer): Node[] {
  const caseRows = (list: typeof d.cases.opened) =>
    table(
      [
        { header: 'Case', width: '*' },
        { header: 'Owner', width: 90 },
        { header: 'Status', width: 50 },
        { header: 'Events', width: 40, align: 'right' },
        { header: 'Opened', width: 62 },
      ],
      list.map((k) => [
        cell(`#${k.id} ${safe(k.title, 200)}`, { text: `case ${k.uid}`, style: 'cite' }),
        safe(k.owner, 100),
        k.status,
        fmtInt(k.events),
        fmtShortTime(k.createdAt),
      ]),
    );
  return [
    h1(`${n}  Investigations`),
    h2('Cases opened in the period'),
    d.cases.opened.length ? caseRows(d.cases.opened) : para('None.'),
    h2('Cases closed in the period'),
    d.cases.closed.length ? caseRows(d.cases.closed) : para('None.'),
    h2('Detection findings'),
    lead(
      `Custos ran its ${d.rulesRun} built-in detection rules over the log, judging deadlines as of ${fmtTime(d.asOf)}; ${count(d.findings.length, 'finding')} fall in the period. Each lists the events the rule matched.`,
    ),
    d.findings.length
      ? table(
          [
            { header: 'Finding', width: 150 },
            { header: 'Matched events', width: '*' },
          ],
          d.findings.map((f) => [
            cell(
              safe(f.title, 200),
              status(f.severity === 'low' ? 'warn' : false, f.severity.toUpperCase()),
              { text: safe(f.summary, 600), style: 'td', margin: [0, 2, 0, 0] },
              {
                text: f.inCase ? 'in a case' : 'not in any case',
                style: 'cite',
                italics: !f.inCase,
              },
            ),
            {
              stack: [
                ...f.matched
                  .slice(0, 40)
                  .map((e) => ({ ...(eventCell(c, e) as object), margin: [0, 0, 0, 3] })),
                ...(f.matched.length > 40
                  ? [{ text: `and ${fmtInt(f.matched.length - 40)} more`, style: 'cite' }]
                  : []),
              ],
            },
          ]),
        )
      : para('No finding.'),
  ];
}

/** The exceptions and what to do about each. */
export function exceptionsSection(n: string, d: PeriodData, c: Citer): Node[] {
  const rows: Node[][] = [];
  for (const a of d.alarms)
    rows.push([
      cell(`Integrity alarm: ${safe(a.kind, 40)}`, {
        text: safe(a.origin ?? '', 200),
        style: 'cite',
      }),
      cell(`${fmtTime(a.createdAt)}: ${safe(a.message, 600)}`),
      cell(
        a.acknowledgedAt
          ? `Acknowledged ${fmtShortTime(a.acknowledgedAt)}; keep the evidence with this report.`
          : 'Investigate the source before trusting later checkpoints; acknowledge once explained.',
      ),
    ]);
  for (const r of d.privacy.requests.filter((x) => x.overdue))
    rows.push([
      cell(`Request ${safe(r.requestId, 100)} past its deadline`),
      {
        stack: [
          {
            text: `deadline ${safe(r.deadlineText, 40)}; ${r.closed ? `closed after ${r.days} days` : `open for ${r.days} days`}`,
            style: 'td',
          },
          citation(c, r.opened.origin, r.opened.index),
        ],
      },
      cell(
        r.closed
          ? 'Record why it was late; review the request process.'
          : 'Fulfil and close the request now; tell the data subject and record the delay.',
      ),
    ]);
  for (const f of d.findings.filter((x) => !x.inCase))
    rows.push([
      cell(`Finding without a case: ${safe(f.title, 200)}`),
      {
        stack: [
          { text: safe(f.summary, 600), style: 'td' },
          ...f.matched.slice(0, 3).map((e) => citation(c, e.origin, e.index)),
          ...(f.matched.length > 3
            ? [{ text: `and ${f.matched.length - 3} more (see investigations)`, style: 'cite' }]
            : []),
        ],
      },
      cell('Open a case, bookmark the events and record the outcome.'),
    ]);
  for (const l of d.logs.filter((x) => x.gaps > 0))
    rows.push([
      cell(`Entries missing: ${safe(l.origin, 200)}`),
      cell(`${fmtInt(l.gaps)} entries below the checkpoint size are not in the cache`),
      cell('Sync the log again; if they stay missing, raise it with the log operator.'),
    ]);
  return [
    h1(`${n}  Exceptions and remediation`),
    rows.length
      ? table(
          [
            { header: 'Exception', width: 140 },
            { header: 'Details', width: '*' },
            { header: 'Remediation', width: 130 },
          ],
          rows,
        )
      : para('No exception: no alarm, no request past its deadline, every finding in a case.'),
  ];
}

/** The queries that reproduce the figures. */
export function queriesAppendix(n: string, d: PeriodData): Node[] {
  return [
    h1(`${n}  The queries behind the figures`, { pageBreak: true }),
    lead(
      "Each figure can be reproduced with the query beside it in Custos's search (console or `custos search --count`) over the same cache: it returns the count shown. Times are UTC; a date range includes both days in full.",
    ),
    table(
      [
        { header: 'Figure', width: 130 },
        { header: 'Query', width: '*' },
        { header: 'Count', width: 60, align: 'right' },
      ],
      d.queries.map((q) => [
        safe(q.name, 200),
        { text: safe(q.query, 2000), style: 'td' },
        fmtInt(q.count),
      ]),
    ),
  ];
}

/** The evidence manifest: every attached file, its SHA-256 and what it proves. */
export function manifestAppendix(
  heading: string,
  evidence: EvidenceFile[],
  proofs: boolean,
): Node[] {
  return [
    h1(heading),
    proofs
      ? lead(
          'These files are attached to this PDF (open the attachments panel of a PDF reader, or run `pdfdetach -saveall`). `custos verify-report` checks them all, as can any C2SP tool: each proof leads from its entry to the signed checkpoint, and the checkpoint verifies with a key of the trust policy.',
        )
      : para(
          'This workspace holds no trust policy, so no proof could be checked and none is attached: the events this report cites can be found in the log by their index, but this report does not prove them.',
          { bold: true },
        ),
    evidence.length
      ? table(
          [
            { header: 'File and SHA-256', width: 250 },
            { header: 'Bytes', width: 36, align: 'right' },
            { header: 'What it proves', width: '*' },
          ],
          evidence.map((f) => [
            {
              stack: [{ text: safe(f.name, 300), style: 'td', bold: true }, hash(f.sha256, 6, 240)],
            },
            fmtInt(f.size),
            safe(f.description, 400),
          ]),
        )
      : para('No file is attached.'),
  ];
}

// ------------------------------------------------------------------------------------------------
// The quarterly report

function certificationPage(meta: ReportMeta, d: PeriodData): Node[] {
  const org = safe(meta.organisation, 200);
  return [
    h1('Management assertion and certification', { id: 'signature-page' }),
    para(
      `The management of ${org} is responsible for recording the audit events of the systems in scope in a tamper-evident audit log, for keeping that log, and for the completeness and accuracy of this report.`,
    ),
    para(`Management asserts that, for ${d.period.label}:`),
    {
      ol: [
        'the audit events of the systems in scope were recorded in the audit log described in this report, whose signed checkpoints are attached;',
        'the figures in this report were computed from that log, each by the query stated in the appendix, and the events it lists are cited by their position in the log, each with a proof of inclusion attached;',
        'the integrity checks, detection findings and exceptions reported here are all those known to management at the date below, and each exception has the remediation stated.',
      ],
      style: 'statement',
      margin: [10, 0, 0, 10],
    },
    framed({
      stack: [
        { text: 'Certification', bold: true, color: ACCENT, margin: [0, 0, 0, 4] },
        {
          text: `I certify that I have reviewed this report, ${safe(meta.title, 200)} for ${d.period.label}, version ${safe(meta.version, 40)}; that to the best of my knowledge the information in it is complete and accurate; and that I sign it with my certificate, which covers the whole document and every file attached to it.`,
          style: 'statement',
        },
      ],
    }),
    { text: ' ', id: 'signature-end', fontSize: 4 },
    ...signatureBlock(meta.signatory, meta.generatedAt),
  ];
}

/** Builds the quarterly certified compliance report. */
export function quarterlyReport(input: PeriodReportInput, cited: number): DocDefinition {
  const { data: d, meta, citer: c, evidence } = input;
  const logs = d.logs.map((l) => safe(l.origin, 200)).join(', ');
  const content: Node[] = [
    cover(
      meta,
      [
        [
          'Period',
          `${d.period.label}, ${fmtTime(d.period.from)} to ${fmtTime(d.period.to)} (end excluded)`,
        ],
        ['Audit log', logs || '—'],
        ['Entries in the period', fmtInt(d.total)],
        [
          'Events cited',
          `${fmtInt(cited)}, each with ${c.proofs ? 'its proof attached' : 'no proof (no trust policy)'}`,
        ],
      ],
      'Every number in this report is computed from the audit log and can be reproduced with the query given in the appendix. Every event it lists is cited by its log and entry index (as in demo.custos.example/audit #2269) and the name of the attached file that proves it is in the log.',
    ),
    { text: '', pageBreak: 'after' },
    ...certificationPage(meta, d),
    { text: '', pageBreak: 'after' },
    h1('1  Summary'),
    para(
      `This report covers ${d.period.label} for ${safe(meta.organisation, 200)}: ${fmtInt(d.total)} audit events from ${d.bySource.length} source systems.`,
    ),
    headline(d),
    h2('Exceptions at a glance'),
    exceptionsAtAGlance(d),
    ...auditLogSection('2', d),
    ...integritySection('3', d, meta, cited, c.proofs),
    ...activitySection('4', d, 'full'),
    ...accessSection('5', d, c),
    ...privacySection('6', d, c),
    ...investigationsSection('7', d, c),
    ...exceptionsSection('8', d, c),
    ...queriesAppendix('Appendix A', d),
    ...manifestAppendix('Appendix B  Evidence manifest', evidence, c.proofs),
  ];
  return document(meta, content, {
    subject: `Quarterly certified compliance report, ${d.period.label}`,
    right: d.period.id,
    anchors: [
      { id: 'signature-page', pageIndex: QUARTERLY_SIGNATURE_PAGE },
      { id: 'signature-end', pageIndex: QUARTERLY_SIGNATURE_PAGE, maxTop: SIGNATURE_BOX.y - 24 },
    ],
  });
}
