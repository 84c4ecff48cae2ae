/**
 * The building blocks every report template shares: styles, the cover, headings, tables whose
 * header repeats on each page and whose rows never split, key-value tables, charts drawn as vector
 * graphics, number and time formatting, hashes in a monospaced face, citations of log entries and
 * the signature box.
 *
 * Everything here is pure: data in, a pdfmake node out. Text from audit records goes through
 * {@link safe} before it reaches a node, so that it prints as the characters it is, can wrap, and
 * cannot hide other text.
 */
import type { EventRow } from '../data';
import type { DocDefinition, Node } from '../render';
import { A4, ACCENT, INK, MUTED, PAGE_MARGINS, RULE } from '../render';
import { MONTHS } from '../../../shared/reports/period';

/** The width between the margins (points). */
export const CONTENT_WIDTH = A4.width - PAGE_MARGINS[0] - PAGE_MARGINS[2];

/** Who made a report, about what, and how it is marked. */
export interface ReportMeta {
  title: string;
  /** Under the title on the cover, e.g. the period. */
  subtitle: string;
  organisation: string;
  systems: string[];
  classification: string;
  version: string;
  generatedBy: string;
  generatedAt: number;
  custosVersion: string;
  signatory?: { name: string; role: string };
}

/** How the report names an event's place in its log and its proof. */
export interface Citer {
  /** Whether proofs are attached (a trust policy was available). */
  proofs: boolean;
  /** `demo.custos.example/audit #2269`. */
  ref(origin: string, index: number): string;
  /** The proof attachment's name, or null when none is attached. */
  proof(origin: string, index: number): string | null;
}

// ------------------------------------------------------------------------------------------------
// Text

const ZWSP = '\u200b';
const MAX_VALUE = 6000;
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Text from an audit record, made safe to print: control characters, bidirectional overrides and
 * other invisible format characters are shown as escapes like `\u202e` (they could otherwise hide or
 * reorder the text around them), lone surrogates likewise, anything beyond `max` characters is
 * cut with a note saying how much, and runs of more than 24 characters without a break get
 * zero-width break opportunities between grapheme clusters, so a long value wraps inside its
 * column instead of running off the page. PDF syntax in the text is harmless: pdfkit writes text
 * as glyph ids in hex strings, never as PDF tokens.
 */
export function safe(value: unknown, max = MAX_VALUE, longRun = 24): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : JSON.stringify(value);
  let cut = 0;
  if (s.length > max) {
    cut = s.length - max;
    s = s.slice(0, max);
  }
  s = s.replace(
    // C0 (except tab and newline), DEL, C1, bidi marks, embeddings, overrides and isolates, the
    // line and paragraph separators, BOM, interlinear annotation, and lone surrogates.
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  s = s.replace(/\t/g, ' ');
  s = breakLongRuns(s, longRun);
  if (cut > 0) s += ` … [${fmtInt(cut)} more characters not shown]`;
  return s;
}

/**
 * Text for the monospaced face, which has no zero-width space: escaped like {@link safe}, and lines
 * longer than `perLine` characters cut with hard line breaks instead.
 */
export function safeMono(value: unknown, max = MAX_VALUE, perLine = 110): string {
  const escaped = safe(value, max).replaceAll(ZWSP, '');
  return escaped
    .split('\n')
    .flatMap((line) => {
      const out: string[] = [];
      for (let i = 0; i < line.length || i === 0; i += perLine)
        out.push(line.slice(i, i + perLine));
      return out;
    })
    .join('\n');
}

/** Inserts a break opportunity every 16 graphemes in runs of more than `longRun` non-space characters. */
function breakLongRuns(s: string, longRun: number): string {
  const run = new RegExp(`[^\\s]{${longRun + 1},}`, 'g');
  if (!run.test(s)) return s;
  return s.replace(run, (r) => {
    let out = '';
    let n = 0;
    for (const { segment } of segmenter.segment(r)) {
      if (n > 0 && n % 16 === 0) out += ZWSP;
      out += segment;
      n++;
    }
    return out;
  });
}

/** `1,234,567` */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-GB');
}

/** `12.3%` of a total (`0%` when the total is 0). */
export function fmtPct(n: number, total: number): string {
  if (total === 0) return '0%';
  const p = (100 * n) / total;
  return `${p < 0.1 && p > 0 ? '<0.1' : p.toFixed(1)}%`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-08-14 02:03:41 UTC` */
export function fmtTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 10)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

/** `2026-08-14 02:03` (in tables, where the zone is in the header). */
export function fmtShortTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 10)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** `14 August 2026` */
export function fmtDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** DejaVu Sans Mono's advance width, in ems. */
const MONO_ADVANCE = 0.602;

/**
 * A SHA-256 or other digest in the monospaced face. The face has no break opportunity inside a
 * word, so a digest wider than `width` (points) is cut into equal lines that fit.
 */
export function hash(hex: string, fontSize = 7, width = CONTENT_WIDTH): Node {
  const perLine = Math.max(8, Math.floor(width / (MONO_ADVANCE * fontSize)));
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += perLine) lines.push(hex.slice(i, i + perLine));
  return { text: lines.join('\n'), font: 'Mono', fontSize, color: INK };
}

// ------------------------------------------------------------------------------------------------
// Styles and structure

export const STYLES = {
  coverOrg: { fontSize: 10, bold: true, color: MUTED, characterSpacing: 0.6 },
  coverTitle: { fontSize: 24, bold: true, color: ACCENT, lineHeight: 1.1 },
  coverSubtitle: { fontSize: 13, color: INK },
  h1: { fontSize: 14, bold: true, color: ACCENT, margin: [0, 14, 0, 2] },
  h2: { fontSize: 10.5, bold: true, color: INK, margin: [0, 10, 0, 4] },
  body: { fontSize: 9, lineHeight: 1.3 },
  note: { fontSize: 7.5, color: MUTED, lineHeight: 1.25 },
  th: { font: 'Condensed', fontSize: 7.5, bold: true, color: INK },
  td: { font: 'Condensed', fontSize: 7.5, color: INK, lineHeight: 1.15 },
  tdNum: { font: 'Condensed', fontSize: 7.5, color: INK, alignment: 'right' },
  cite: { font: 'Condensed', fontSize: 6.5, color: MUTED },
  label: { fontSize: 8, color: MUTED },
  statement: { fontSize: 9.5, lineHeight: 1.4 },
  figure: { fontSize: 18, bold: true, color: ACCENT },
  figureLabel: { fontSize: 7.5, color: MUTED },
};

/** A numbered section heading with a rule under it; `headlineLevel` keeps it with what follows. */
export function h1(text: string, opts: { pageBreak?: boolean; id?: string } = {}): Node {
  return {
    stack: [
      { text, style: 'h1', headlineLevel: 1, ...(opts.id ? { id: opts.id } : {}) },
      {
        canvas: [
          {
            type: 'line',
            x1: 0,
            y1: 0,
            x2: CONTENT_WIDTH,
            y2: 0,
            lineWidth: 0.6,
            lineColor: ACCENT,
          },
        ],
        headlineLevel: 1,
        margin: [0, 0, 0, 6],
      },
    ],
    unbreakable: true,
    headlineLevel: 1,
    ...(opts.pageBreak ? { pageBreak: 'before' } : {}),
  };
}

/** A sub-heading; `headlineLevel` keeps it with what follows (see render.ts). */
export function h2(text: string): Node {
  return { text, style: 'h2', headlineLevel: 2 };
}

/** A paragraph of the report's own words (not audit data). */
export function para(text: string | Node[], extra: Record<string, unknown> = {}): Node {
  return { text, style: 'body', margin: [0, 0, 0, 6], ...extra };
}

/**
 * A paragraph that introduces what follows (a table, a chart): kept on the same page as it, like
 * a heading (see render.ts).
 */
export function lead(text: string | Node[]): Node {
  return { text, style: 'body', margin: [0, 0, 0, 6], headlineLevel: 3 };
}

export function note(text: string | Node[], extra: Record<string, unknown> = {}): Node {
  return { text, style: 'note', margin: [0, 2, 0, 6], ...extra };
}

/** Label and value rows, values possibly nodes. */
export function keyValue(rows: Array<[string, Node]>, labelWidth = 150): Node {
  return {
    table: {
      widths: [labelWidth, '*'],
      body: rows.map(([k, v]) => [
        { text: k, style: 'label' },
        typeof v === 'string' || typeof v === 'number' ? { text: String(v), fontSize: 8.5 } : v,
      ]),
      dontBreakRows: true,
    },
    layout: 'keyValue',
    margin: [0, 2, 0, 8],
  };
}

export interface Column {
  header: string;
  width: number | string;
  align?: 'left' | 'right' | 'center';
}

/**
 * A data table: the header row repeats on every page, a row never splits across pages, numbers
 * align right. Cells are strings (printed as they are: callers pass them through {@link safe}
 * when they come from audit records) or nodes.
 */
export function table(
  columns: Column[],
  rows: Node[][],
  extra: Record<string, unknown> = {},
): Node {
  return {
    table: {
      headerRows: 1,
      dontBreakRows: true,
      keepWithHeaderRows: 1,
      widths: columns.map((c) => c.width),
      body: [
        columns.map((c) => ({ text: c.header, style: 'th', alignment: c.align ?? 'left' })),
        ...rows.map((r) =>
          r.map((cell, i) =>
            typeof cell === 'string' || typeof cell === 'number'
              ? {
                  text: String(cell),
                  style: columns[i].align === 'right' ? 'tdNum' : 'td',
                  alignment: columns[i].align ?? 'left',
                }
              : cell,
          ),
        ),
      ],
    },
    layout: 'data',
    margin: [0, 2, 0, 10],
    ...extra,
  };
}

/** A table cell with a main text and, under it, smaller lines (citations, details). */
export function cell(main: string, ...under: Array<Node | null>): Node {
  return { stack: [{ text: main, style: 'td' }, ...under.filter((u): u is Node => u !== null)] };
}

/** The citation of one event: where it is in its log and which attachment proves it. */
export function citation(c: Citer, origin: string, index: number): Node {
  const proof = c.proof(origin, index);
  return {
    text: [
      { text: safe(c.ref(origin, index), 400, 64), bold: true, color: INK },
      proof
        ? { text: `  proof: ${safe(proof, 400, 64)}` }
        : { text: '  no proof attached (no trust policy)', italics: true },
    ],
    style: 'cite',
  };
}

/**
 * One event as a table cell: when, what, who (and from where), on what and whose data, then its
 * citation. Every value comes from the audit record and goes through {@link safe}.
 */
export function eventCell(c: Citer, ev: EventRow, detail?: string | null): Node {
  const parts: Node[] = [
    { text: `${fmtTime(ev.time)}  `, color: MUTED },
    { text: safe(ev.action ?? '(no action)', 200), bold: true },
  ];
  if (ev.outcome && ev.outcome !== 'success') parts.push({ text: ` (${safe(ev.outcome, 40)})` });
  if (ev.actor) parts.push(` by ${safe(ev.actor, 256)}`);
  if (ev.ip) parts.push(` from ${safe(ev.ip, 64)}`);
  if (ev.target) parts.push(` on ${safe(ev.target, 256)}`);
  if (ev.subject) parts.push(` · data subject ${safe(ev.subject, 256)}`);
  return {
    stack: [
      { text: parts, style: 'td' },
      ...(detail ? [{ text: detail, style: 'td', color: MUTED }] : []),
      citation(c, ev.origin, ev.index),
    ],
  };
}

/** A row of headline figures (a number over a label), e.g. entries, failed logins, findings. */
export function figures(items: Array<{ label: string; value: number | string }>): Node {
  const perRow = Math.min(items.length, 4);
  const rows: Node[][] = [];
  for (let i = 0; i < items.length; i += perRow) {
    const slice = items.slice(i, i + perRow);
    while (slice.length < perRow) slice.push({ label: '', value: '' });
    rows.push(
      slice.map((it) => ({
        stack: [
          {
            text: typeof it.value === 'number' ? fmtInt(it.value) : it.value,
            style: 'figure',
          },
          { text: it.label, style: 'figureLabel' },
        ],
      })),
    );
  }
  return {
    table: { widths: Array(perRow).fill('*'), body: rows, dontBreakRows: true },
    layout: 'figures',
    margin: [0, 4, 0, 10],
  };
}

/** A framed box around a statement or result. */
export function framed(content: Node, extra: Record<string, unknown> = {}): Node {
  return {
    table: { widths: ['*'], body: [[content]], dontBreakRows: true },
    layout: 'frame',
    margin: [0, 4, 0, 10],
    ...extra,
  };
}

/** A small coloured status word: ok, problem, warning. */
export function status(ok: boolean | 'warn', text: string): Node {
  const color = ok === true ? '#1e6b34' : ok === 'warn' ? '#8a5a00' : '#a11d1d';
  return { text, bold: true, color, font: 'Condensed', fontSize: 7.5 };
}

// ------------------------------------------------------------------------------------------------
// Charts: bars are vector graphics (canvas); every label is real text in the report's font.

const BAR = '#2f6690';
const BAR_ALT = '#9db4c9';

/** Horizontal bars, one per item, with the count and share: for categories, sources, actions. */
export function barList(
  items: Array<{ label: string; value: number }>,
  total: number,
  opts: { labelWidth?: number } = {},
): Node {
  const labelWidth = opts.labelWidth ?? 130;
  const barWidth = CONTENT_WIDTH - labelWidth - 60 - 44 - 16;
  const max = Math.max(1, ...items.map((i) => i.value));
  return {
    table: {
      widths: [labelWidth, barWidth, 60, 44],
      dontBreakRows: true,
      body: items.map((it) => [
        { text: safe(it.label, 200), style: 'td' },
        {
          canvas: [
            { type: 'rect', x: 0, y: 1.5, w: barWidth, h: 7, color: '#eef1f5' },
            {
              type: 'rect',
              x: 0,
              y: 1.5,
              w: Math.max(it.value > 0 ? 0.8 : 0, (barWidth * it.value) / max),
              h: 7,
              color: BAR,
            },
          ],
        },
        { text: fmtInt(it.value), style: 'tdNum' },
        { text: fmtPct(it.value, total), style: 'tdNum', color: MUTED },
      ]),
    },
    layout: 'chart',
    margin: [0, 2, 0, 10],
  };
}

/** A step for gridlines: 1, 2 or 5 times a power of ten, giving 3 to 6 lines. */
function niceStep(max: number): number {
  if (max <= 5) return 1;
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/**
 * A column chart over time: one bar per bucket, gridlines with their values, and a label under
 * every `labelEvery`-th bar. `marks` shade buckets (weekends, holidays) to help reading it.
 */
export function columnChart(
  buckets: Array<{ label: string; value: number; shade?: boolean }>,
  opts: { height?: number; labelEvery?: number; caption?: string } = {},
): Node {
  const height = opts.height ?? 110;
  const axis = 38;
  const width = CONTENT_WIDTH - axis;
  const n = Math.max(1, buckets.length);
  const slot = width / n;
  const gap = Math.min(2, slot * 0.2);
  const maxValue = Math.max(0, ...buckets.map((b) => b.value));
  const step = niceStep(maxValue);
  const top = Math.max(step, Math.ceil(maxValue / step) * step);
  const y = (v: number) => height - (height * v) / top;
  const shapes: Node[] = [];
  buckets.forEach((b, i) => {
    if (b.shade)
      shapes.push({ type: 'rect', x: i * slot, y: 0, w: slot, h: height, color: '#f4f6f9' });
  });
  const lines: Node[] = [];
  for (let v = 0; v <= top + 1e-9; v += step) {
    shapes.push({
      type: 'line',
      x1: 0,
      y1: y(v),
      x2: width,
      y2: y(v),
      lineWidth: v === 0 ? 0.8 : 0.3,
      lineColor: v === 0 ? INK : RULE,
    });
    lines.push({
      text: fmtInt(v),
      style: 'note',
      alignment: 'right',
      width: axis - 4,
      relativePosition: { x: 0, y: y(v) - 4 },
      margin: [0, 0, 0, 0],
    });
  }
  buckets.forEach((b, i) => {
    if (b.value > 0)
      shapes.push({
        type: 'rect',
        x: i * slot + gap / 2,
        y: y(b.value),
        w: Math.max(0.6, slot - gap),
        h: height - y(b.value),
        color: b.shade ? BAR_ALT : BAR,
      });
  });
  const every = opts.labelEvery ?? Math.max(1, Math.ceil(n / 16));
  const labels: Node[] = buckets.map((b, i) => ({
    text: i % every === 0 ? b.label : '',
    width: slot,
    fontSize: 6,
    color: MUTED,
    alignment: every === 1 ? 'center' : 'left',
  }));
  return {
    stack: [
      {
        columns: [
          { width: axis, stack: [{ text: '', relativePosition: { x: 0, y: 0 } }, ...lines] },
          { width, canvas: shapes },
        ],
        columnGap: 0,
      },
      { columns: [{ width: axis, text: '' }, ...labels], columnGap: 0, margin: [0, 3, 0, 0] },
      ...(opts.caption ? [{ text: opts.caption, style: 'note', margin: [axis, 2, 0, 0] }] : []),
    ],
    unbreakable: true,
    margin: [0, 6, 0, 10],
  };
}

// ------------------------------------------------------------------------------------------------
// Cover, signature, document

/** The cover: organisation, title, period, and the scope as a key-value table. */
export function cover(meta: ReportMeta, scope: Array<[string, Node]>, intro: string): Node {
  const systems =
    meta.systems.length === 0
      ? 'all systems whose events the logs hold'
      : meta.systems
          .slice(0, 12)
          .map((s) => safe(s, 120))
          .join(', ') + (meta.systems.length > 12 ? `, and ${meta.systems.length - 12} more` : '');
  return {
    stack: [
      {
        text: safe(meta.organisation, 200).toUpperCase(),
        style: 'coverOrg',
        margin: [0, 60, 0, 14],
      },
      { text: meta.title, style: 'coverTitle' },
      { text: meta.subtitle, style: 'coverSubtitle', margin: [0, 6, 0, 24] },
      {
        canvas: [{ type: 'rect', x: 0, y: 0, w: 60, h: 3, color: ACCENT }],
        margin: [0, 0, 0, 20],
      },
      keyValue(
        [
          ['Organisation', safe(meta.organisation, 200)],
          ['Systems in scope', systems],
          ...scope,
          ['Report version', safe(meta.version, 100)],
          ['Classification', { text: safe(meta.classification, 100), bold: true }],
          ['Generated', fmtTime(meta.generatedAt)],
          ['Generated by', safe(meta.generatedBy, 200)],
          ['Produced with', `Custos ${safe(meta.custosVersion, 40)}`],
        ],
        130,
      ),
      { text: intro, style: 'note', margin: [0, 16, 0, 0] },
    ],
  };
}

/** Where the signature box sits on its page: points from the top-left corner. */
export const SIGNATURE_BOX = { x: PAGE_MARGINS[0], y: 560, w: 260, h: 96 };

/** The box in PDF user space (points from the bottom-left corner): x1, y1, x2, y2. */
export function signatureRect(box = SIGNATURE_BOX): [number, number, number, number] {
  const r = (n: number) => Math.round(n * 100) / 100;
  return [r(box.x), r(A4.height - box.y - box.h), r(box.x + box.w), r(A4.height - box.y)];
}

/**
 * The empty, framed box where the signer's visible signature goes, at a fixed place on the page
 * (absolute position, outside the flow), with the signatory's name, role and date under it. The
 * flow above must end before `SIGNATURE_BOX.y`; the renderer checks the anchor's page.
 */
export function signatureBlock(
  signatory: { name: string; role: string } | undefined,
  date: number,
  box = SIGNATURE_BOX,
): Node[] {
  const name = signatory ? safe(signatory.name, 120) : '';
  const role = signatory ? safe(signatory.role, 120) : '';
  return [
    {
      absolutePosition: { x: box.x, y: box.y - 14 },
      text: 'Signature',
      style: 'label',
    },
    {
      absolutePosition: { x: box.x, y: box.y },
      canvas: [{ type: 'rect', x: 0, y: 0, w: box.w, h: box.h, lineWidth: 0.8, lineColor: INK }],
    },
    {
      absolutePosition: { x: box.x, y: box.y + box.h + 8 },
      table: {
        widths: [70, box.w - 70],
        body: [
          [
            { text: 'Name', style: 'label' },
            { text: name || ' ', fontSize: 9, bold: true },
          ],
          [
            { text: 'Role', style: 'label' },
            { text: role || ' ', fontSize: 9 },
          ],
          [
            { text: 'Date', style: 'label' },
            { text: fmtDate(date), fontSize: 9 },
          ],
        ],
      },
      layout: 'keyValue',
    },
  ];
}

/** The document around the content: metadata, styles, running header and footer. */
export function document(
  meta: ReportMeta,
  content: Node[],
  extra: {
    subject: string;
    anchors?: Array<{ id: string; pageIndex: number; maxTop?: number }>;
    right: string;
  },
): DocDefinition {
  return {
    info: {
      title: `${meta.title}: ${meta.subtitle}`,
      author: meta.signatory ? `${meta.signatory.name}, ${meta.signatory.role}` : meta.generatedBy,
      subject: extra.subject,
      keywords: `${meta.organisation}; ${meta.classification}; Custos`,
      creationDate: meta.generatedAt,
    },
    custos: {
      running: {
        classification: safe(meta.classification, 60),
        title: meta.title,
        right: extra.right,
        footer: `${safe(meta.organisation, 44)} · version ${safe(meta.version, 12)}`,
      },
      ...(extra.anchors ? { anchors: extra.anchors } : {}),
    },
    styles: STYLES,
    content,
  };
}
