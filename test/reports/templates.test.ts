/**
 * The report templates over a 20,000-entry demo cache: every template renders to a PDF that
 * qpdf accepts, whose printed numbers equal numbers computed here independently with plain SQL
 * over the cache, whose every cited event shows its `log #index` and has its proof in the
 * evidence manifest, and in which hostile audit text (PDF syntax, a 5,000-character word,
 * right-to-left scripts, combining marks, emoji, control and bidi characters) prints as text,
 * wraps, and adds no script or action to the PDF.
 *
 * The pages are saved as PNGs under test-artifacts/reports/ for people to look at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEntry } from '../../shared/entry/model';
import { CaseService } from '../../main/cases/service';
import { generateDemoEvents } from '../../main/demo/generateDemo';
import { buildReport, type BuiltReport, type TemplateName } from '../../main/reports/build';
import { proofName } from '../../main/reports/evidence';
import { parsePeriod } from '../../shared/reports/period';
import { renderPdf, renderPdfInWorker } from '../../main/reports/render';
import { TRUST_META } from '../../main/store/cacheStore';
import { readLogKey } from '../../main/tlog/keys';
import { sealEntries } from '../../main/tlog/seal';
import { FolderStorage } from '../../main/tlog/storage';
import { tempDir } from '../helpers/cli';
import { REPO } from '../helpers/paths';
import { searchableCache } from '../helpers/search';

const DEMO_KEY = join(REPO, 'resources/demo/demo.key');
const TRUST = join(REPO, 'resources/demo/demo.pub');
const ARTIFACTS = join(REPO, 'test-artifacts/reports');
const NOW = Date.UTC(2026, 9, 2, 9, 30);
const ORIGIN = 'demo.custos.example/audit';

// Hostile audit text, sealed into the log as ordinary events.
const PDF_SYNTAX = ') Tj ET /JavaScript << /S /JavaScript /JS (app.alert(1)) >>';
const LONG_WORD = 'ABCDEFGHIJ'.repeat(500);
const HEBREW = 'שלום עולם';
const ARABIC = 'مرحبا بالعالم';
const COMBINING = 'Zalgo Z\u0337\u0322\u0349a\u0336l\u0338g\u0335o\u0334 cafe\u0301';
const EMOJI = 'party 😀🔥👩‍👩‍👧‍👦 end';
const CONTROL = 'before\u0000nul\u0007bell\u001b[31mred\u202egnp.exe after';

function hostileEvents() {
  const base = {
    kind: 'custos.audit/v1',
    source: 'comms.relay',
    category: 'security',
    outcome: 'success',
    severity: 'high',
  } as const;
  return [
    {
      ...base,
      id: 'hx-pdf-syntax',
      time: '2026-08-14T12:00:01.000Z',
      action: 'note.create',
      actor: { id: 'u-9999', type: 'user', name: HEBREW, ip: '198.51.100.250' },
      target: { type: 'note', id: PDF_SYNTAX, name: PDF_SYNTAX },
      subject: { id: ARABIC, type: 'customer' },
      reason: PDF_SYNTAX,
    },
    {
      ...base,
      id: 'hx-long-word',
      time: '2026-08-14T12:00:02.000Z',
      action: 'note.create',
      actor: { id: 'u-9999', type: 'user', name: 'Mallory' },
      target: { type: 'note', id: 'n-2' },
      attributes: { blob: LONG_WORD },
    },
    {
      ...base,
      id: 'hx-scripts',
      time: '2026-08-14T12:00:03.000Z',
      action: 'note.create',
      actor: { id: 'u-9999', type: 'user', name: ARABIC },
      target: { type: 'note', id: 'n-3', name: `${HEBREW} ${ARABIC}` },
      reason: `${COMBINING} ${EMOJI}`,
    },
    {
      ...base,
      id: 'hx-control',
      time: '2026-08-14T12:00:04.000Z',
      action: 'note.create',
      actor: { id: 'u-9999', type: 'user', name: 'Mallory' },
      target: { type: 'note', id: 'n-4' },
      reason: CONTROL,
    },
  ];
}

let ctx: Awaited<ReturnType<typeof searchableCache>>;
let cases: CaseService;
let caseId: number;
const built = new Map<string, BuiltReport>();
const pdfs = new Map<string, Uint8Array>();
const texts = new Map<string, string>();
/** The text in the order it was written, whitespace runs as one space: wrapped cells join. */
const phrases = new Map<string, string>();
/** The text in the order it was written, without any whitespace: values cut across lines join. */
const squashedTexts = new Map<string, string>();

/**
 * The text of a PDF as pdftotext gives it (laid out as on the page, or in the order it was
 * written), without the zero-width break opportunities the reports put into long words.
 */
function pdfText(pdf: string, mode: 'layout' | 'raw' = 'layout'): string {
  return execFileSync('pdftotext', [`-${mode}`, pdf, '-'], {
    maxBuffer: 64 * 1024 * 1024,
  })
    .toString('utf8')
    .replaceAll('\u200b', '');
}

/** Text with runs of spaces collapsed: a table row becomes `label value value`. */
const flat = (t: string) => t.replace(/[ \t]+/g, ' ');
const n = (x: number) => x.toLocaleString('en-GB');

/** Asserts that `label` is followed on its line by the number (as printed, with commas). */
function expectRow(text: string, label: string, value: number, after = '') {
  const re = new RegExp(
    `${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ${after}${n(value)}(?![\\d,])`,
  );
  expect(flat(text), `${label} ${n(value)}`).toMatch(re);
}

const sql = <T>(q: string, ...params: unknown[]) => ctx.cache.db.prepare(q).get(...params) as T;
const all = <T>(q: string, ...params: unknown[]) => ctx.cache.db.prepare(q).all(...params) as T[];
const count = (q: string, ...params: unknown[]) =>
  ctx.cache.db
    .prepare(q)
    .pluck()
    .get(...params) as number;

const REQUESTS: Array<[TemplateName, string | undefined]> = [
  ['quarterly', '2026-Q3'],
  ['monthly', '2026-08'],
  ['weekly', '2026-W33'],
  ['daily', '2026-08-14'],
  ['investigation', undefined],
  ['certificate', undefined],
];

beforeAll(async () => {
  const dir = tempDir('custos-reports-');
  const store = join(dir, 'store');
  const key = await readLogKey(DEMO_KEY);
  function* entries() {
    for (const e of generateDemoEvents({ size: 20_000, seed: 1 })) yield encodeEntry(e);
    for (const e of hostileEvents()) yield encodeEntry(e);
  }
  await sealEntries(new FolderStorage(store), key, entries());
  ctx = await searchableCache(dir, store, TRUST);
  ctx.cache.setMeta(TRUST_META, readFileSync(TRUST, 'utf8'));
  cases = new CaseService(
    ctx.cache,
    'Thandi Officer',
    () => {},
    () => NOW - 86_400_000,
  );

  // A case holding the night exports (incident 1) and the hostile events, with notes and evidence.
  const c = cases.create({
    title: 'Night exports and hostile notes',
    description: `Bulk exports at night, then notes with odd text: ${PDF_SYNTAX}`,
  });
  caseId = c.id;
  const ids = (q: string) =>
    ctx.search.page({ query: q, limit: 100, sort: 'time', order: 'asc' }).rows.map((r) => r.id);
  cases.addEvents(
    caseId,
    ids('actor:u-1187 AND time:[2026-08-14T02:00 TO 2026-08-14T03:00]'),
    'night exports',
  );
  cases.addEvents(caseId, ids('actor:u-9999'), `hostile text ${CONTROL}`);
  const evs = cases.events(caseId);
  cases.tagEvents(
    caseId,
    evs.filter((e) => e.fields.action === 'customer.export').map((e) => e.id),
    'exfiltration',
  );
  cases.addNote(caseId, `Not authorised. ${HEBREW} ${PDF_SYNTAX}`, evs[1].id);
  cases.addNote(caseId, 'Escalated to the DPO.');
  cases.addEvidence(
    caseId,
    'interview-notes.txt',
    new TextEncoder().encode('Interview, 15 August.'),
  );

  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const [template, period] of REQUESTS) {
    const b = await buildReport(
      {
        store: ctx.cache,
        search: ctx.search,
        cases,
        trustText: ctx.cache.getMeta(TRUST_META),
        custosVersion: '0.1.0',
      },
      {
        template,
        period,
        caseId,
        organisation: 'Acme Learning & Commerce (Pty) Ltd',
        systems: ['school.lessonline', 'coaching.stride', 'comms.relay'],
        classification: 'Confidential',
        version: '1.0',
        signatory: { name: 'Naledi Dlamini', role: 'Chief Compliance Officer' },
        generatedBy: 'Thandi Officer',
        now: NOW,
      },
    );
    // One of them through the worker, as the console renders.
    const pdf =
      template === 'investigation'
        ? await renderPdfInWorker(b.docDefinition)
        : await renderPdf(b.docDefinition);
    const file = join(ARTIFACTS, `${template}.pdf`);
    writeFileSync(file, pdf);
    execFileSync('pdftoppm', ['-png', '-r', '60', file, join(ARTIFACTS, template)]);
    built.set(template, b);
    pdfs.set(template, pdf);
    texts.set(template, pdfText(file));
    const raw = pdfText(file, 'raw');
    squashedTexts.set(template, raw.replace(/\s+/g, ''));
    phrases.set(template, raw.replace(/\s+/g, ' '));
  }
}, 300_000);

afterAll(() => ctx?.cache.close());

describe('every template', () => {
  it.each(REQUESTS)('%s renders a PDF that qpdf accepts, with its pages saved as PNGs', (t) => {
    const file = join(ARTIFACTS, `${t}.pdf`);
    const check = execFileSync('qpdf', ['--check', file]).toString();
    expect(check).toContain('No syntax or stream encoding errors');
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(pages).toBeLessThan(40);
    expect(
      readdirSync(ARTIFACTS).filter((f) => f.startsWith(`${t}-`) && f.endsWith('.png')),
    ).toHaveLength(pages);
    const info = execFileSync('pdfinfo', [file]).toString();
    expect(info).toMatch(/Creator:\s+Custos/);
    expect(info).toMatch(new RegExp(`Title:\\s+${built.get(t)!.title}`));
  });

  it.each(REQUESTS)(
    '%s cites every event with its log #index and proof, all in the manifest',
    (t) => {
      const b = built.get(t)!;
      const text = texts.get(t)!;
      const squashed = squashedTexts.get(t)!;
      const names = new Set(b.evidence.map((f) => f.name));
      for (const e of b.cited) {
        expect(text, `${e.origin} #${e.index}`).toContain(`${e.origin} #${e.index}`);
        expect(names).toContain(proofName(e));
        expect(squashed).toContain(proofName(e));
      }
      // The manifest prints every attached file with its SHA-256.
      for (const f of b.evidence) {
        expect(squashed).toContain(f.name);
        expect(squashed).toContain(f.sha256);
      }
      expect(names).toContain('trust-policy.txt');
    },
  );

  it.each(REQUESTS)('%s keeps every word inside the page', (t) => {
    const html = execFileSync('pdftotext', ['-bbox', join(ARTIFACTS, `${t}.pdf`), '-'], {
      maxBuffer: 64 * 1024 * 1024,
    }).toString();
    const page = /<page width="([\d.]+)" height="([\d.]+)"/.exec(html)!;
    const [w, h] = [Number(page[1]), Number(page[2])];
    const boxes = [
      ...html.matchAll(/xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"/g),
    ];
    expect(boxes.length).toBeGreaterThan(100);
    for (const [, x0, y0, x1, y1] of boxes) {
      expect(Number(x0)).toBeGreaterThanOrEqual(50);
      expect(Number(x1)).toBeLessThanOrEqual(w - 50);
      expect(Number(y0)).toBeGreaterThanOrEqual(15);
      expect(Number(y1)).toBeLessThanOrEqual(h - 15);
    }
  });

  it('places the signature box where build says, on a page of its own for the quarterly report', () => {
    const q = built.get('quarterly')!;
    expect(q.signature.pageIndex).toBe(1);
    const [x1, y1, x2, y2] = q.signature.rect;
    expect(x2 - x1).toBeGreaterThan(200);
    expect(y2 - y1).toBeGreaterThan(60);
    // Page 2 holds the certification and nothing of the report's sections.
    const page2 = execFileSync('pdftotext', [
      '-f',
      '2',
      '-l',
      '2',
      '-layout',
      join(ARTIFACTS, 'quarterly.pdf'),
      '-',
    ]).toString();
    expect(page2).toContain('Management assertion and certification');
    expect(page2).toContain('Naledi Dlamini');
    expect(page2).not.toContain('1 Summary');
    for (const t of ['monthly', 'weekly', 'daily', 'investigation', 'certificate'])
      expect(built.get(t)!.signature.pageIndex).toBe(0);
  });
});

describe('the numbers, recomputed with plain SQL', () => {
  const periods = {
    quarterly: parsePeriod('2026-Q3'),
    monthly: parsePeriod('2026-08'),
    weekly: parsePeriod('2026-W33'),
    daily: parsePeriod('2026-08-14'),
  };

  it.each(Object.entries(periods))('%s: entries, categories, sources', (t, p) => {
    const text = texts.get(t)!;
    const total = count('SELECT count(*) FROM entries WHERE time >= ? AND time < ?', p.from, p.to);
    expect(total).toBeGreaterThan(0);
    expectRow(text, 'Entries in the period', total);
    expect(built.get(t)!.figures.total).toBe(total);
    const cats = all<{ v: string; c: number }>(
      'SELECT category AS v, count(*) AS c FROM entries WHERE time >= ? AND time < ? GROUP BY category',
      p.from,
      p.to,
    );
    expect(cats.length).toBeGreaterThan(2);
    for (const { v, c } of cats) expectRow(text, v, c);
    const sources = all<{ v: string; c: number }>(
      'SELECT source AS v, count(*) AS c FROM entries WHERE time >= ? AND time < ? GROUP BY source',
      p.from,
      p.to,
    );
    for (const { v, c } of sources) expectRow(text, v, c);
  });

  it.each(Object.entries(periods))('%s: failed logins, privilege changes, exports', (t, p) => {
    const text = texts.get(t)!;
    const failed = count(
      "SELECT count(*) FROM entries WHERE action = 'user.login' AND outcome = 'failure' AND time >= ? AND time < ?",
      p.from,
      p.to,
    );
    expectRow(text, 'Failed logins', failed);
    const privilege = count(
      "SELECT count(*) FROM entries WHERE action IN ('user.role.change', 'permission.grant') AND time >= ? AND time < ?",
      p.from,
      p.to,
    );
    expectRow(text, 'Privilege changes', privilege);
    const exports = count(
      "SELECT count(*) FROM entries WHERE action LIKE '%.export' AND time >= ? AND time < ?",
      p.from,
      p.to,
    );
    expectRow(text, 'Exports', exports);
    const records = count(
      "SELECT coalesce(sum(json_extract(d.data, '$.attributes.recordCount')), 0) FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.action LIKE '%.export' AND e.time >= ? AND e.time < ?",
      p.from,
      p.to,
    );
    expect(phrases.get(t)!).toContain(`${n(records)} records in all`);
  });

  it.each(Object.entries(periods))('%s: data-subject requests, consent, alarms', (t, p) => {
    const text = texts.get(t)!;
    const opened = count(
      "SELECT count(*) FROM entries WHERE action IN ('dsr.open', 'gdpr.erasure.request') AND time >= ? AND time < ?",
      p.from,
      p.to,
    );
    expectRow(text, 'Data-subject requests opened', opened);
    const closed = count(
      "SELECT count(*) FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.action IN ('dsr.close', 'client.erase') AND json_extract(d.data, '$.attributes.requestId') IS NOT NULL AND e.time >= ? AND e.time < ?",
      p.from,
      p.to,
    );
    expectRow(text, 'Data-subject requests closed', closed);
    // Requests of the period (opened in it, or before it and still open when it began) that
    // were closed after the end of their deadline day, or are still open past it at its end.
    const overdue = count(
      `WITH o AS (
         SELECT e.time AS t, json_extract(d.data, '$.attributes.requestId') AS rid,
                unixepoch(json_extract(d.data, '$.attributes.deadline')) * 1000 + 86400000 AS due
         FROM entries e JOIN entry_data d ON d.id = e.id
         WHERE e.action IN ('dsr.open', 'gdpr.erasure.request') AND e.time < @to),
       c AS (
         SELECT json_extract(d.data, '$.attributes.requestId') AS rid, min(e.time) AS t
         FROM entries e JOIN entry_data d ON d.id = e.id
         WHERE e.action IN ('dsr.close', 'client.erase') AND e.time < @to GROUP BY rid)
       SELECT count(*) FROM o LEFT JOIN c ON c.rid = o.rid
       WHERE NOT (o.t < @from AND c.t IS NOT NULL AND c.t < @from)
         AND coalesce(c.t, min(@to, @now)) > o.due`,
      { to: p.to, from: p.from, now: NOW },
    );
    expectRow(text, 'Past their deadline', overdue);
    const withdrawn = count(
      "SELECT count(*) FROM entries WHERE action = 'consent.withdraw' AND time >= ? AND time < ?",
      p.from,
      p.to,
    );
    expectRow(text, 'Consents withdrawn', withdrawn);
    const alarms = count(
      'SELECT count(*) FROM alarms WHERE (created_at >= ? AND created_at < ?) OR acknowledged_at IS NULL',
      p.from,
      p.to,
    );
    expect(built.get(t)!.figures.alarms).toBe(alarms);
    expect(flat(text)).toMatch(
      alarms === 0
        ? /Integrity alarms[^\n]* none/
        : new RegExp(`Integrity alarms[^\\n]* ${alarms} alarm`),
    );
  });

  it('the quarterly report states the overdue erasure request DSR-2026-0147 and all six incidents', () => {
    const text = phrases.get('quarterly')!;
    expect(text).toContain('DSR-2026-0147');
    expect(text).toContain('OPEN, PAST ITS DEADLINE');
    for (const title of [
      'Several exports by one person at night',
      'A burst of failed logins, then a success',
      'Role change or permission grant without a change ticket',
      'Marketing sent after consent was withdrawn',
      'Data-subject request not closed within 30 days',
      'Student record deleted without approval',
    ])
      expect(text).toContain(title);
  });

  it('the checkpoint size and root hash are those of the cache', () => {
    const cp = sql<{ size: number; root: string }>(
      'SELECT size, lower(hex(root)) AS root FROM checkpoints WHERE accepted_at IS NOT NULL ORDER BY size DESC LIMIT 1',
    );
    expect(cp.size).toBe(20_004);
    for (const t of ['quarterly', 'monthly', 'certificate']) {
      const text = texts.get(t)!;
      expect(flat(text)).toContain(`size ${n(cp.size)}`);
      expect(squashedTexts.get(t)!).toContain(cp.root);
    }
    const cert = flat(texts.get('certificate')!);
    expect(cert).toContain('PASSED');
    expect(cert).toContain(`#0 to #${cp.size - 1} (${n(cp.size)} entries)`);
    expect(cert).toContain('demo.custos.example/audit+c5f2e0fb');
  });

  it('every query in the appendix counts what its figure says', () => {
    for (const t of ['quarterly', 'monthly', 'weekly', 'daily']) {
      const b = built.get(t)!;
      expect(b.queries.length).toBeGreaterThan(10);
      for (const q of b.queries)
        expect(ctx.search.count(q.query), `${t}: ${q.query}`).toBe(q.count);
    }
  });

  it("every figure's SQL gives the figure", () => {
    for (const t of ['quarterly', 'daily', 'investigation']) {
      for (const f of built.get(t)!.figureSources) {
        if (f.derivation || !/^\s*SELECT/i.test(f.sql)) continue;
        expect(count(f.sql, ...f.params), `${t}: ${f.key}`).toBe(f.value);
      }
    }
  });

  it('the investigation report lists the case, its notes, evidence and custody log', () => {
    const text = flat(texts.get('investigation')!);
    const evidence = cases.evidenceList(caseId)[0];
    expect(squashedTexts.get('investigation')!).toContain(evidence.sha256);
    expect(text).toContain('interview-notes.txt');
    expect(text).toContain('Escalated to the DPO.');
    expect(text).toContain('exfiltration');
    for (const r of cases.custodyLog(caseId)) expect(text).toContain(r.what);
    const events = cases.events(caseId);
    expect(built.get('investigation')!.cited).toHaveLength(events.length);
    for (const e of events) expect(text).toContain(`${ORIGIN} #${e.index}`);
  });
});

describe('hostile audit text', () => {
  it('adds no script, action or launch to any PDF', () => {
    for (const [t, pdf] of pdfs) {
      const file = join(ARTIFACTS, `${t}.pdf`);
      const plain = join(ARTIFACTS, `${t}.qdf`);
      execFileSync('qpdf', ['--qdf', '--object-streams=disable', file, plain]);
      const raw = readFileSync(plain).toString('latin1');
      rmSync(plain);
      for (const name of ['/JavaScript', '/JS', '/OpenAction', '/Launch', '/AA', '/URI'])
        expect(raw, `${t}: ${name}`).not.toMatch(
          new RegExp(`${name.replace('/', '\\/')}(?![A-Za-z])`),
        );
      expect(Buffer.from(pdf).toString('latin1')).not.toContain('app.alert');
    }
  });

  it('prints it as text in the investigation and daily reports', () => {
    for (const t of ['investigation', 'daily']) {
      const raw = pdfText(join(ARTIFACTS, `${t}.pdf`), 'raw')
        .replace(/[\u202a-\u202e\u2066-\u2069]/g, '')
        .normalize('NFC');
      const squashed = raw.replace(/\s+/g, '');
      expect(squashed, t).toContain(PDF_SYNTAX.replace(/\s+/g, ''));
      for (const word of ARABIC.split(' ')) expect(raw, `${t}: ${word}`).toContain(word);
    }
    const raw = pdfText(join(ARTIFACTS, 'investigation.pdf'), 'raw')
      .replace(/[\u202a-\u202e\u2066-\u2069]/g, '')
      .normalize('NFC');
    const squashed = raw.replace(/\s+/g, '');
    for (const word of HEBREW.split(' ')) expect(raw).toContain(word);
    expect(squashed).toContain(LONG_WORD);
    expect(raw).toContain('café');
    expect(raw).toContain('Zalgo');
    // Control and bidi characters print as escapes, never as themselves.
    expect(squashed).toContain('before\\u0000nul\\u0007bell\\u001b[31mred\\u202egnp.exeafter');
    for (const c of ['\u0000', '\u0007', '\u001b']) expect(raw).not.toContain(c);
  });

  it('wraps the 5,000-character word within the page', () => {
    const text = pdfText(join(ARTIFACTS, 'investigation.pdf'));
    const lines = text.split('\n').filter((l) => l.includes('ABCDEFGHIJ'));
    expect(lines.length).toBeGreaterThan(20);
    for (const l of lines) expect(l.trim().length).toBeLessThan(140);
  });
});

describe('bad requests', () => {
  const base = {
    organisation: 'Acme',
    classification: 'Internal',
    version: '1',
    generatedBy: 'Thandi Officer',
  };
  const build = (req: Partial<Parameters<typeof buildReport>[1]>) =>
    buildReport(
      {
        store: ctx.cache,
        search: ctx.search,
        cases,
        trustText: ctx.cache.getMeta(TRUST_META),
        custosVersion: '0.1.0',
      },
      { template: 'quarterly', ...base, ...req } as Parameters<typeof buildReport>[1],
    );

  it('names what is wrong', async () => {
    await expect(build({ period: '2026-Q4' })).rejects.toThrow(
      'the cache holds no entry in 2026-Q4',
    );
    await expect(build({ period: '2026-13', template: 'monthly' })).rejects.toThrow(
      '--period 2026-13: a month is 01 to 12',
    );
    await expect(build({ period: '2026-08' })).rejects.toThrow(
      'the quarterly report takes a quarter (like 2026-Q3), not 2026-08',
    );
    await expect(build({ template: 'investigation', caseId: 999 })).rejects.toThrow('no case 999');
    await expect(build({})).rejects.toThrow('needs a period');
  });

  it('without a trust policy, cites events but attaches no proof and says so', async () => {
    const b = await buildReport(
      { store: ctx.cache, search: ctx.search, cases, trustText: null, custosVersion: '0.1.0' },
      { template: 'daily', period: '2026-08-14', ...base, now: NOW },
    );
    expect(b.evidence).toEqual([]);
    expect(b.cited.length).toBeGreaterThan(0);
    const pdf = await renderPdf(b.docDefinition);
    const file = join(ARTIFACTS, 'daily-no-policy.pdf');
    writeFileSync(file, pdf);
    const text = flat(pdfText(file));
    expect(text).toContain('no proof attached (no trust policy)');
    expect(text).toContain('This workspace holds no trust policy');
  });
});
