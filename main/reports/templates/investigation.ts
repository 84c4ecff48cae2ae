/**
 * The investigation report of a case: what was investigated and found, the events on a timeline,
 * each bookmarked event with its notes, tags and record, the case's evidence files with their
 * SHA-256, and the custody log. Everything an investigator typed and everything an audit record
 * holds is printed through `safe`: a case about an attack is full of hostile text.
 */
import type { CaseData, CaseEventData } from '../data';
import type { EvidenceFile } from '../evidence';
import type { DocDefinition, Node } from '../render';
import { MUTED } from '../render';
import {
  cell,
  citation,
  cover,
  document,
  eventCell,
  fmtInt,
  fmtShortTime,
  fmtTime,
  h1,
  h2,
  hash,
  keyValue,
  para,
  safe,
  signatureBlock,
  table,
  type Citer,
  type ReportMeta,
} from './common';
import { manifestAppendix } from './quarterly';
import { COVER_SIGNATURE_BOX } from './summary';

export interface InvestigationInput {
  data: CaseData;
  meta: ReportMeta;
  citer: Citer;
  evidence: EvidenceFile[];
}

/** The most lines of one record shown under its event. */
const MAX_RECORD_LINES = 40;

/** A record as `path: value` lines (objects flattened, arrays as JSON). */
function recordLines(rec: Record<string, unknown> | null): Array<[string, string]> {
  if (!rec) return [];
  const out: Array<[string, string]> = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (out.length > MAX_RECORD_LINES) return;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < 4) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>))
        walk(x, path ? `${path}.${k}` : k, depth + 1);
    } else out.push([path, typeof v === 'string' ? v : JSON.stringify(v)]);
  };
  walk(rec, '', 0);
  return out;
}

/** An event that the cache does not hold (imported with its case): its place, but no proof here. */
function uncited(e: CaseEventData): Node {
  return {
    text: [
      { text: `${safe(e.event.origin, 200)} #${e.event.index}`, bold: true },
      { text: '  not in this cache: its proof travels in the case bundle', italics: true },
    ],
    style: 'cite',
  };
}

function eventBlock(c: Citer, e: CaseEventData, n: number): Node {
  const f = e.event.fields;
  const lines = recordLines(e.record);
  const head: Node = e.row
    ? eventCell(c, e.row)
    : {
        stack: [
          {
            text: `${fmtTime(f.time)}  ${safe(f.action ?? '(no action)', 200)} by ${safe(f.actor ?? '?', 256)}`,
            style: 'td',
          },
          uncited(e),
        ],
      };
  return {
    stack: [
      {
        columns: [
          { text: `${n}.`, width: 18, bold: true, fontSize: 8 },
          { width: '*', stack: [head] },
        ],
      },
      {
        margin: [18, 4, 0, 0],
        stack: [
          ...(e.event.tags.length
            ? [
                {
                  text: [
                    { text: 'Tags: ', color: MUTED },
                    e.event.tags.map((t) => safe(t, 60)).join(', '),
                  ],
                  style: 'td',
                },
              ]
            : []),
          ...(e.event.reason
            ? [
                {
                  text: [{ text: 'Why bookmarked: ', color: MUTED }, safe(e.event.reason, 2000)],
                  style: 'td',
                },
              ]
            : []),
          ...e.notes.map((nt) => ({
            text: [
              {
                text: `Note by ${safe(nt.author, 120)}, ${fmtShortTime(nt.createdAt)}: `,
                color: MUTED,
              },
              safe(nt.body, 6000),
            ],
            style: 'td',
            margin: [0, 2, 0, 0],
          })),
          ...(lines.length
            ? [
                {
                  table: {
                    widths: [110, '*'],
                    body: lines.slice(0, MAX_RECORD_LINES).map(([k, v]) => [
                      { text: safe(k, 200), style: 'cite' },
                      { text: safe(v), style: 'td', fontSize: 7 },
                    ]),
                    dontBreakRows: true,
                  },
                  layout: 'keyValue',
                  margin: [0, 4, 0, 0],
                },
              ]
            : []),
          ...(lines.length > MAX_RECORD_LINES
            ? [{ text: 'more fields: see the record in the proof attachment', style: 'cite' }]
            : []),
        ],
      },
    ],
    margin: [0, 4, 0, 10],
  };
}

/** Builds the investigation report of a case. */
export function investigationReport(input: InvestigationInput, cited: number): DocDefinition {
  const { data: d, meta, citer: c, evidence } = input;
  const k = d.case;
  const inCache = d.events.filter((e) => e.row).length;
  const content: Node[] = [
    cover(
      meta,
      [
        ['Case', `#${k.id} ${safe(k.title, 200)}`],
        ['Case identifier', { text: k.uid, font: 'Mono', fontSize: 7.5 }],
        ['Owner', safe(k.owner, 200)],
        ['Status', k.status],
        ['Events cited', fmtInt(cited)],
      ],
      'Every event this report lists is cited by its log and entry index and the name of the attached file that proves it is in the log; the case evidence files are listed with their SHA-256 as taken when each was attached.',
    ),
    ...signatureBlock(meta.signatory, meta.generatedAt, COVER_SIGNATURE_BOX),
    { text: ' ', id: 'signature-end', fontSize: 4, pageBreak: 'after' },
    h1('1  Summary'),
    keyValue([
      ['Case', `#${k.id} ${safe(k.title, 200)}`],
      ['Owner', safe(k.owner, 200)],
      ['Status', k.status],
      [
        'Period investigated',
        k.periodFrom || k.periodTo
          ? `${fmtTime(k.periodFrom)} to ${fmtTime(k.periodTo)}`
          : 'not set',
      ],
      ['Opened', fmtTime(k.createdAt)],
      ['Last changed', fmtTime(k.changedAt)],
      [
        'Bookmarked events',
        `${fmtInt(d.events.length)}${inCache < d.events.length ? ` (${fmtInt(d.events.length - inCache)} from logs this cache does not hold)` : ''}`,
      ],
      ['Notes', fmtInt(d.notes.length + d.events.reduce((n, e) => n + e.notes.length, 0))],
      ['Evidence files', fmtInt(d.evidence.length)],
    ]),
    ...(k.description.trim()
      ? [
          h2('Description'),
          { text: safe(k.description, 20_000), style: 'body', margin: [0, 0, 0, 8] },
        ]
      : []),
    ...(d.notes.length
      ? [
          h2('Notes on the case'),
          ...d.notes.map((nt) => ({
            text: [
              { text: `${safe(nt.author, 120)}, ${fmtTime(nt.createdAt)}: `, color: MUTED },
              safe(nt.body, 6000),
            ],
            style: 'body',
            margin: [0, 0, 0, 4],
          })),
        ]
      : []),
    h1('2  Timeline'),
    table(
      [
        { header: 'Time (UTC)', width: 62 },
        { header: 'What', width: 44 },
        { header: 'Details', width: '*' },
      ],
      d.timeline.map((t) => {
        const ev = t.kind === 'event' ? d.events.find((e) => e.event.id === t.ref) : undefined;
        return [
          fmtShortTime(t.time),
          t.kind,
          ev
            ? cell(
                safe(t.label, 600),
                ev.row ? citation(c, ev.row.origin, ev.row.index) : uncited(ev),
              )
            : cell(safe(t.label, 600)),
        ];
      }),
    ),
    h1('3  Bookmarked events'),
    ...(d.events.length
      ? d.events.map((e, i) => eventBlock(c, e, i + 1))
      : [para('The case holds no event.')]),
    h1('4  Case evidence files'),
    d.evidence.length
      ? table(
          [
            { header: 'File', width: 120 },
            { header: 'SHA-256', width: '*' },
            { header: 'Bytes', width: 50, align: 'right' },
            { header: 'Attached', width: 90 },
          ],
          d.evidence.map((f) => [
            safe(f.name, 200),
            hash(f.sha256, 6.5, 175),
            fmtInt(f.size),
            cell(fmtShortTime(f.addedAt), { text: safe(f.addedBy, 120), style: 'cite' }),
          ]),
        )
      : para('The case has no evidence file.'),
    para(
      'The files themselves stay in the case (and in its export bundle); their hashes were taken when each was attached and are checked again whenever a file is exported.',
      { style: 'note' },
    ),
    h1('5  Custody log'),
    table(
      [
        { header: 'Time (UTC)', width: 62 },
        { header: 'Who', width: 90 },
        { header: 'What', width: 70 },
        { header: 'Details', width: '*' },
      ],
      d.custody.map((r) => [
        fmtShortTime(r.at),
        safe(r.who, 120),
        safe(r.what, 80),
        { text: safe(JSON.stringify(r.detail), 1500), style: 'td', fontSize: 6.5 },
      ]),
    ),
    ...manifestAppendix('Appendix  Evidence manifest', evidence, c.proofs),
  ];
  return document(meta, content, {
    subject: `Investigation report, case #${k.id}`,
    right: `case #${k.id}`,
    anchors: [{ id: 'signature-end', pageIndex: 0, maxTop: COVER_SIGNATURE_BOX.y - 24 }],
  });
}
