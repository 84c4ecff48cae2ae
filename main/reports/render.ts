/**
 * Renders a report's document definition to PDF bytes with pdfmake 0.3.11.
 *
 * A definition is plain data (it crosses into a worker thread by structured clone), so everything
 * pdfmake wants as a function lives here: the running header and footer (drawn from
 * `def.custos.running`), the table layouts (referenced by name) and the check that the signature
 * page landed where the signer will look for it.
 *
 * pdfmake may fetch URLs and read local files for fonts, images and attachments; a report must not
 * (its content comes from audit records, which are hostile), so both are denied and the fonts are
 * handed over as bytes.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { FONT_FAMILIES, fontFiles } from './fonts';

/** A pdfmake node or document definition: plain data. */
export type Node = string | number | Node[] | { [key: string]: unknown };

/** What the renderer draws on every page, and checks. */
export interface RenderExtras {
  running?: {
    /** The classification, e.g. `CONFIDENTIAL`, at the top of every page. */
    classification: string;
    /** The report's title, left in the header. */
    title: string;
    /** Right in the header, e.g. the period. */
    right: string;
    /** Left in the footer, e.g. the organisation and the version. */
    footer: string;
  };
  /**
   * Nodes that must start on a given page (0-based) and, with `maxTop`, above a given distance
   * from the top of the page (points), or rendering fails: the signature box's position is
   * promised to the signer before the pages exist.
   */
  anchors?: Array<{ id: string; pageIndex: number; maxTop?: number }>;
}

export interface DocDefinition {
  content: Node;
  info?: {
    title: string;
    author: string;
    subject: string;
    keywords?: string;
    /** ms UTC. */
    creationDate: number;
  };
  custos?: RenderExtras;
  [key: string]: unknown;
}

interface PdfMake {
  setFonts(fonts: unknown): void;
  setUrlAccessPolicy(cb: (url: string) => boolean): void;
  setLocalAccessPolicy(cb: (path: string) => boolean): void;
  setTableLayouts(layouts: Record<string, unknown>): void;
  virtualfs: { writeFileSync(name: string, data: Buffer): void; existsSync(name: string): boolean };
  createPdf(def: object): { getBuffer(): Promise<Buffer> };
}

const require = createRequire(import.meta.url);
let configured: PdfMake | null = null;

/** Colours shared with the templates. */
export const INK = '#1a1f2b';
export const RULE = '#c9ced6';
export const MUTED = '#5b6473';
export const ACCENT = '#1f4e79';
export const BAND = '#f3f5f8';

type TableNode = { table: { body: unknown[][]; widths: unknown[]; headerRows?: number } };

/** Table layouts by name: the templates refer to them, since a function cannot be cloned. */
const TABLE_LAYOUTS = {
  /** A data table: a heavier rule under the header, hairlines between rows, banded rows. */
  data: {
    hLineWidth: (i: number, node: TableNode) =>
      i === 0 || i === node.table.body.length
        ? 0.8
        : i === (node.table.headerRows ?? 0)
          ? 0.8
          : 0.3,
    vLineWidth: () => 0,
    hLineColor: (i: number, node: TableNode) =>
      i === 0 || i === node.table.body.length || i === (node.table.headerRows ?? 0) ? INK : RULE,
    fillColor: (row: number, node: TableNode) =>
      row < (node.table.headerRows ?? 0) ? BAND : row % 2 === 0 ? '#fafbfc' : null,
    paddingLeft: (i: number) => (i === 0 ? 4 : 5),
    paddingRight: (i: number, node: TableNode) => (i === node.table.widths.length - 1 ? 4 : 5),
    paddingTop: () => 3,
    paddingBottom: () => 3,
  },
  /** Label and value pairs: hairlines only. */
  keyValue: {
    hLineWidth: (i: number, node: TableNode) => (i === 0 || i === node.table.body.length ? 0 : 0.3),
    vLineWidth: () => 0,
    hLineColor: () => RULE,
    paddingLeft: (i: number) => (i === 0 ? 0 : 6),
    paddingRight: () => 4,
    paddingTop: () => 3,
    paddingBottom: () => 3,
  },
  /** Chart rows: no lines, tight. */
  chart: {
    hLineWidth: () => 0,
    vLineWidth: () => 0,
    paddingLeft: (i: number) => (i === 0 ? 0 : 4),
    paddingRight: () => 2,
    paddingTop: () => 1.2,
    paddingBottom: () => 1.2,
  },
  /** Headline figures: shaded cells, no lines. */
  figures: {
    hLineWidth: () => 0,
    vLineWidth: () => 0,
    fillColor: () => BAND,
    paddingLeft: () => 8,
    paddingRight: () => 8,
    paddingTop: () => 6,
    paddingBottom: () => 6,
  },
  /** A framed box (statements, results). */
  frame: {
    hLineWidth: () => 0.8,
    vLineWidth: () => 0.8,
    hLineColor: () => ACCENT,
    vLineColor: () => ACCENT,
    paddingLeft: () => 10,
    paddingRight: () => 10,
    paddingTop: () => 8,
    paddingBottom: () => 8,
  },
};

function pdfmake(): PdfMake {
  if (configured) return configured;
  const pm = require('pdfmake') as PdfMake;
  // Nothing from the network or the disk: a report's content is data from audit records.
  pm.setUrlAccessPolicy(() => false);
  pm.setLocalAccessPolicy(() => false);
  for (const [name, data] of fontFiles()) pm.virtualfs.writeFileSync(name, data);
  pm.setTableLayouts(TABLE_LAYOUTS);
  configured = pm;
  return pm;
}

/** The room (points) a heading of each level needs under it, or it starts the next page. */
const KEEP_WITH_NEXT: Record<number, number> = { 1: 130, 2: 100, 3: 70 };

/** Page margins of every report: left, top, right, bottom (points; A4 is 595.28 x 841.89). */
export const PAGE_MARGINS: [number, number, number, number] = [56, 64, 56, 56];
export const A4 = { width: 595.28, height: 841.89 };

function runningHeader(r: NonNullable<RenderExtras['running']>) {
  return () => ({
    margin: [PAGE_MARGINS[0], 22, PAGE_MARGINS[2], 0],
    stack: [
      {
        columns: [
          { text: r.title, width: 230, fontSize: 7.5, color: MUTED },
          {
            text: r.classification.toUpperCase(),
            width: '*',
            fontSize: 7.5,
            bold: true,
            color: '#8b1a1a',
            characterSpacing: 0.8,
            alignment: 'center',
          },
          { text: r.right, width: 100, fontSize: 7.5, color: MUTED, alignment: 'right' },
        ],
        columnGap: 8,
      },
      {
        canvas: [
          {
            type: 'line',
            x1: 0,
            y1: 5,
            x2: A4.width - PAGE_MARGINS[0] - PAGE_MARGINS[2],
            y2: 5,
            lineWidth: 0.5,
            lineColor: RULE,
          },
        ],
      },
    ],
  });
}

function runningFooter(r: NonNullable<RenderExtras['running']>) {
  return (page: number, pages: number) => ({
    margin: [PAGE_MARGINS[0], 18, PAGE_MARGINS[2], 0],
    columns: [
      { text: r.footer, width: 230, fontSize: 7.5, color: MUTED },
      {
        text: r.classification.toUpperCase(),
        width: '*',
        fontSize: 7.5,
        bold: true,
        color: '#8b1a1a',
        characterSpacing: 0.8,
        alignment: 'center',
      },
      {
        text: `page ${page} of ${pages}`,
        width: 100,
        fontSize: 7.5,
        color: MUTED,
        alignment: 'right',
      },
    ],
    columnGap: 8,
  });
}

/**
 * Renders a document definition to PDF bytes. Throws when an anchored node (the signature page)
 * does not land on its page, since the signature's position was promised before rendering.
 */
export async function renderPdf(def: DocDefinition): Promise<Uint8Array> {
  const pm = pdfmake();
  const { custos, info, ...rest } = def;
  const full: Record<string, unknown> = {
    pageSize: 'A4',
    pageMargins: PAGE_MARGINS,
    // The language, for screen readers and text extraction. Not `tagged`: pdfmake writes no
    // structure tree, and claiming a tagged document without one misleads accessibility checkers.
    language: 'en-GB',
    displayTitle: true,
    version: '1.7',
    defaultStyle: { font: 'Sans', fontSize: 9, lineHeight: 1.2, color: INK },
    ...rest,
  };
  if (info) {
    full.info = {
      title: info.title,
      author: info.author,
      subject: info.subject,
      keywords: info.keywords,
      creator: 'Custos',
      producer: 'Custos (pdfmake 0.3.11)',
      creationDate: new Date(info.creationDate),
    };
  }
  if (custos?.running) {
    full.header = runningHeader(custos.running);
    full.footer = runningFooter(custos.running);
  }
  const anchors = custos?.anchors ?? [];
  const seen = new Map<string, { page: number; top: number }>();
  const ids = new Set(anchors.map((a) => a.id));
  type NodeInfo = {
    id?: string;
    headlineLevel?: number;
    pageNumbers?: number[];
    startPosition?: {
      pageNumber: number;
      top: number;
      verticalRatio: number;
      pageInnerHeight: number;
    };
  };
  full.pageBreakBefore = (
    node: NodeInfo,
    nodes: { getFollowingNodesOnPage(): NodeInfo[] },
  ): boolean => {
    if (node.id && ids.has(node.id) && node.startPosition)
      seen.set(node.id, { page: node.startPosition.pageNumber - 1, top: node.startPosition.top });
    // A heading (headlineLevel 1 to 3) near the foot of its page, or with nothing but headings
    // after it there, moves to the next page with what it introduces. pdfmake's positions of an
    // unbreakable block that moved on are those it had before moving, so the room left under the
    // heading is what decides.
    if (node.headlineLevel === undefined || node.pageNumbers?.length !== 1 || !node.startPosition)
      return false;
    const p = node.startPosition;
    const room = (1 - p.verticalRatio) * p.pageInnerHeight;
    return (
      room < (KEEP_WITH_NEXT[node.headlineLevel] ?? 60) ||
      nodes.getFollowingNodesOnPage().every((n) => n.headlineLevel !== undefined)
    );
  };
  // pdfmake rewrites the font table it is given, so it gets a fresh copy each time.
  pm.setFonts(JSON.parse(JSON.stringify(FONT_FAMILIES)));
  const buffer = await pm.createPdf(full).getBuffer();
  for (const a of anchors) {
    const at = seen.get(a.id);
    if (!at || at.page !== a.pageIndex)
      throw new Error(
        `report layout: ${a.id} is on page ${at ? at.page + 1 : '(none)'}, not page ${a.pageIndex + 1} where the signature box was placed`,
      );
    if (a.maxTop !== undefined && at.top > a.maxTop)
      throw new Error(
        `report layout: the text above the signature box on page ${a.pageIndex + 1} runs into it (${a.id} at ${at.top.toFixed(0)} pt, the box starts at ${a.maxTop} pt)`,
      );
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

/**
 * Renders in a worker thread (renderWorker.ts), so that a long report never freezes the process
 * that serves the console. The definition is copied to the worker; the PDF's bytes come back.
 */
export function renderPdfInWorker(def: DocDefinition): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./renderWorker.mjs', import.meta.url), {
      workerData: { def },
    });
    let settled = false;
    worker.on('message', (m: { pdf?: Uint8Array; error?: string }) => {
      settled = true;
      if (m.pdf) resolve(m.pdf);
      else reject(new Error(m.error ?? 'the report renderer sent nothing'));
      void worker.terminate();
    });
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the report renderer stopped (exit code ${code})`));
    });
  });
}
