/**
 * An investigation end to end, as an officer works it in the console (web mode, real Chromium):
 * run the detections over a demo workspace, make a case of the night-time bulk export, add events
 * from the Explorer, tag them, write notes, attach a file, close the case and export it; bring the
 * bundle into a fresh workspace and find the same case there, verified; and check that the
 * officer's activity journal verifies and holds every action taken. Saves a screenshot of every
 * investigation screen in both themes to test-artifacts/screenshots, and checks each with axe-core.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, TRUST_META } from '../../main/ipc/handlers';
import { Journal } from '../../main/journal/journal';
import { startWebServer, type WebServer } from '../../main/web/server';
import { custos, tempDir } from '../helpers/cli';
import { newKey, openStore } from '../helpers/cache';
import { REPO } from '../helpers/paths';
import { buildConsole, launchChromium, RENDERER, SHOTS } from '../helpers/browser';
import { searchableCache } from '../helpers/search';

const TRUST = join(REPO, 'resources/demo/demo.pub');
const BAGIT_VALIDATOR = join(REPO, 'test/helpers/bagit_validate.py');
const OFFICER = 'a.dlamini';
const CASE_TITLE = 'Several exports by one person at night: u-1187';

/** A description written to be hostile: none of it may run, load or navigate. */
const HOSTILE_DESCRIPTION = [
  'Support agent **u-1187** exported six customer segments between 02:07 and 02:51 UTC.',
  '',
  '<script>alert(1)</script>',
  '',
  'See [x](javascript:alert(1)) and [the runbook](https://wiki.example.org/runbook).',
  '',
  '![i](https://example.com/a.png)',
  '',
  'Also [d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==), [v](vbscript:msgbox(1))',
  'and <img src="https://example.com/b.png" onerror="alert(2)">.',
].join('\n');
const NOTE = 'Confirmed with HR: u-1187 resigned on 2026-08-13. **Escalate to the DPO.**';
const EVENT_NOTE = 'Sign-in from the home address 203.0.113.95, at night.';
const EVIDENCE = Buffer.from('HR ticket 4711: resignation letter of u-1187, dated 2026-08-13.\n');
const EVIDENCE_SHA256 = createHash('sha256').update(EVIDENCE).digest('hex');

interface Workspace {
  dir: string;
  server: WebServer;
  close: () => void;
  journal: Journal;
}

let first: Workspace;
let second: Workspace;
let browser: Browser;
let page: Page;
let exportDir = '';
const requests: string[] = [];
const dialogs: string[] = [];
const problems: string[] = [];
const unexpected: string[] = [];

/** A console over a cache: handlers with an officer, a journal and an exports folder. */
async function serve(
  dir: string,
  cache: ReturnType<typeof openStore>,
  cachePath: string,
  key: Buffer,
): Promise<Workspace> {
  const journal = Journal.open(cache, cachePath, { officer: OFFICER });
  let server: WebServer | null = null;
  const handlers = createHandlers({
    cachePath,
    store: cache,
    key,
    emit: (e, p) => server?.emit(e, p),
    officer: OFFICER,
    journal,
    exportsDir: join(dir, 'exports'),
    offerDownload: (name, type, produce) => server!.offerDownload(name, type, produce),
  });
  server = await startWebServer({
    handlers,
    staticDir: RENDERER,
    onUnexpected: (channel, e) => unexpected.push(`${channel}: ${String(e)}`),
  });
  return { dir, server, journal, close: () => cache.close() };
}

beforeAll(async () => {
  buildConsole();
  mkdirSync(SHOTS, { recursive: true });

  // The investigator's workspace: the demo quarter, synced and verified.
  const dir = tempDir('custos-investigation-');
  const store = join(dir, 'store');
  const r = await custos('demo', '--out', store, '--size', '5000');
  expect(r.code, r.stderr).toBe(0);
  const ws = await searchableCache(dir, store, TRUST);
  ws.cache.setMeta(TRUST_META, readFileSync(TRUST, 'utf8'));
  first = await serve(dir, ws.cache, ws.path, ws.key);

  // A colleague's fresh workspace: it trusts the same log key but has never synced the log.
  const dir2 = tempDir('custos-investigation-2-');
  const key2 = newKey();
  const cache2 = openStore(join(dir2, 'c2.db'), key2);
  cache2.setMeta(TRUST_META, readFileSync(TRUST, 'utf8'));
  second = await serve(dir2, cache2, join(dir2, 'c2.db'), key2);

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('request', (req) => requests.push(req.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const w of [first, second]) {
    await w?.server.close();
    w?.close();
  }
});

/** A screenshot of the screen from its top, with no hover effects. */
async function shot(p: Page, name: string) {
  await p.mouse.move(0, 899);
  await p.evaluate('document.querySelector("main").scrollTo(0, 0)');
  await p.waitForTimeout(250);
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}
const go = (p: Page, screen: string) => p.locator(`[data-screen="${screen}"]`).click();
const caseTab = (p: Page, tab: string) => p.locator(`[data-tab="${tab}"]`).click();
const eventRows = (p: Page) => p.getByRole('table', { name: 'case events' }).locator('tbody tr');

/** The explorer grid's row (its row-index) whose cells satisfy `match`; -1 when none. */
async function gridRow(p: Page, match: { time?: string; notDay?: string }, skip: number[] = []) {
  // A string: the tests compile without the DOM's types.
  return (await p.evaluate(`(() => {
    const match = ${JSON.stringify(match)};
    const skip = ${JSON.stringify(skip)};
    for (const row of document.querySelectorAll('.ag-grid-scrolling-rows .ag-row')) {
      const i = Number(row.getAttribute('row-index'));
      const time = row.querySelector('[col-id="time"]')?.textContent ?? '';
      if (skip.includes(i) || !time) continue;
      if (match.time && time !== match.time) continue;
      if (match.notDay && time.startsWith(match.notDay)) continue;
      return i;
    }
    return -1;
  })()`)) as number;
}
const gridCheckbox = (p: Page, row: number) =>
  p.locator(`.ag-grid-scrolling-rows .ag-row[row-index="${row}"] .ag-selection-checkbox input`);

/** Runs axe-core's WCAG 2 A and AA rules on the page as it is. */
async function axe(p: Page): Promise<string[]> {
  return (await p.evaluate(
    'axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } })' +
      '.then((r) => r.violations.map((v) => v.id + " (" + v.impact + "): " + JSON.stringify(v.nodes[0].target)))',
  )) as string[];
}

describe('an investigation, from a detection to a verified case bundle', () => {
  it('runs the detections and finds the night-time bulk export', async () => {
    await page.goto(first.server.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await go(page, 'detections');
    await page.getByRole('heading', { name: 'Detections', level: 2 }).waitFor();
    await shot(page, 'detections-empty');
    await page.getByRole('button', { name: 'Run detections' }).click();
    const summary = page.getByTestId('detect-summary');
    await summary.waitFor({ timeout: 60_000 });
    expect(await summary.textContent()).toMatch(/^\d+ rules run in [\d,.]+ m?s: \d+ findings\.$/);
    const finding = page.locator('[data-finding="exports-at-night"]').filter({ hasText: 'u-1187' });
    expect(await finding.count()).toBe(1);
    expect(await finding.textContent()).toContain(
      'u-1187 made 6 exports between 02:07 and 02:51 UTC on 2026-08-14',
    );
    // The six exports, with the sign-in and sign-out around them.
    const rows = finding.locator('tbody tr');
    expect(await rows.count()).toBe(8);
    expect(await rows.first().textContent()).toContain('2026-08-14 02:03:41.207user.loginu-1187');
    await shot(page, 'detections');
  });

  it('makes a case of the finding, and its description cannot run, load or navigate', async () => {
    const finding = page.locator('[data-finding="exports-at-night"]').filter({ hasText: 'u-1187' });
    await finding.getByRole('button', { name: 'Create case' }).click();
    await finding.getByTestId('finding-case').waitFor();
    expect(await finding.getByTestId('finding-case').textContent()).toContain(
      `Case “${CASE_TITLE}” created with these 8 events.`,
    );
    await finding.getByRole('button', { name: 'Open the case' }).click();
    await page.getByRole('heading', { name: CASE_TITLE, level: 2 }).waitFor();
    expect(await page.locator('[data-tab="events"]').textContent()).toBe('Events (8)');
    await expect.poll(() => eventRows(page).count()).toBe(8);

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Description').fill(HOSTILE_DESCRIPTION);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const description = page.getByTestId('case-description');
    await description.waitFor();
    await expect.poll(() => description.textContent()).toContain('[image not loaded]');
    // The HTML is shown as text, the links as their text and address, the image as its alt text.
    expect(await description.getByText('<script>alert(1)</script>').isVisible()).toBe(true);
    expect(await description.locator('[data-md="blocked-link"]').allTextContents()).toEqual([
      'x (link removed: javascript:alert(1))',
      'd (link removed: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      'v (link removed: vbscript:msgbox(1))',
    ]);
    expect(await description.textContent()).toContain(
      '<img src="https://example.com/b.png" onerror="alert(2)">',
    );
    expect(await description.locator('[data-md="link"]').textContent()).toBe(
      'the runbook <https://wiki.example.org/runbook>',
    );
    expect(await description.locator('[data-md="image"]').textContent()).toBe(
      'i [image not loaded]',
    );
    expect(await description.locator('strong').textContent()).toBe('u-1187');
    // Nothing was made that could run or load: no script, no image, no link, no request.
    expect(await description.locator('script, img, a, iframe, object, embed').count()).toBe(0);
    expect(await page.evaluate('document.images.length')).toBe(0);
    expect(await page.evaluate('[...document.scripts].filter((s) => !s.src).length')).toBe(0);
    await page.waitForTimeout(300);
    expect(requests.filter((u) => u.includes('example.com') || u.includes('example.org'))).toEqual(
      [],
    );
    expect(dialogs).toEqual([]);
    await shot(page, 'case-view-description');
  });

  it('adds two more events of u-1187 from the Explorer', async () => {
    await go(page, 'explorer');
    const box = page.getByLabel('search query');
    await box.fill('actor:u-1187');
    await box.press('Enter');
    await expect
      .poll(() => page.getByTestId('match-count').textContent())
      .toMatch(/^\d+ matching entries$/);
    await page.locator('.ag-grid-scrolling-rows .ag-row[row-index="0"]').waitFor();
    // The sign-in at 02:03 (already in the case, from the finding), by its checkbox...
    const login = await gridRow(page, { time: '2026-08-14 02:03:41.207' });
    expect(login).toBeGreaterThanOrEqual(0);
    await gridCheckbox(page, login).check();
    // ...one event from another day, by its checkbox...
    const other = await gridRow(page, { notDay: '2026-08-14' });
    expect(other).toBeGreaterThanOrEqual(0);
    await gridCheckbox(page, other).check();
    // ...and one more from the keyboard: Space on a focused row selects it.
    const third = await gridRow(page, { notDay: '2026-08-14' }, [other]);
    expect(third).toBeGreaterThanOrEqual(0);
    await page
      .locator(`.ag-grid-scrolling-rows .ag-row[row-index="${third}"] [col-id="action"]`)
      .focus();
    await page.keyboard.press('Space');
    await expect.poll(() => gridCheckbox(page, third).isChecked()).toBe(true);
    await expect.poll(() => page.getByText('3 selected').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Add to case…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add to case' });
    await dialog.waitFor();
    await expect
      .poll(() => dialog.getByLabel('Case', { exact: true }).textContent())
      .toContain(CASE_TITLE);
    await shot(page, 'explorer-add-to-case');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.getByTestId('add-to-case-result').waitFor();
    expect(await dialog.getByTestId('add-to-case-result').textContent()).toBe(
      '2 added, 1 already in the case.',
    );
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  it('tags events, notes them, opens one with its proof and attaches a file', async () => {
    await go(page, 'cases');
    await page.getByRole('heading', { name: 'Cases', level: 2 }).waitFor();
    const row = page.getByRole('table', { name: 'cases' }).locator('tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.first().textContent()).toContain(CASE_TITLE);
    await shot(page, 'cases');
    await row.first().getByRole('button', { name: CASE_TITLE }).click();
    await page.getByRole('heading', { name: CASE_TITLE, level: 2 }).waitFor();
    expect(await page.locator('[data-tab="events"]').textContent()).toBe('Events (10)');
    await expect.poll(() => eventRows(page).count()).toBe(10);

    // The exports, found with the query language within the case, tagged together.
    const search = page.getByLabel('search within the case');
    await search.fill('action:customer.export');
    await search.press('Enter');
    await expect.poll(() => eventRows(page).count()).toBe(6);
    await page.getByLabel('select every event shown').check();
    await page.getByLabel('Tag', { exact: true }).fill('exfiltration');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await expect
      .poll(() => page.locator('tbody tr').filter({ hasText: 'exfiltration' }).count())
      .toBe(6);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => eventRows(page).count()).toBe(10);
    // A new search starts a new selection.
    expect(await page.getByText('None selected').isVisible()).toBe(true);

    // The two events brought from the Explorer: tagged too.
    const added = eventRows(page).filter({ hasNotText: '2026-08-14' });
    expect(await added.count()).toBe(2);
    for (const cb of await added.getByRole('checkbox').all()) await cb.check();
    await page.getByLabel('Tag', { exact: true }).fill('earlier activity');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await expect.poll(() => added.filter({ hasText: 'earlier activity' }).count()).toBe(2);
    expect(await eventRows(page).filter({ hasText: 'earlier activity' }).count()).toBe(2);
    expect(await eventRows(page).filter({ hasText: 'exfiltration' }).count()).toBe(6);

    // A note on the sign-in.
    const login = eventRows(page).filter({ hasText: 'user.login' }).filter({ hasText: '02:03' });
    await login.getByRole('button', { name: /^notes on / }).click();
    const noteDialog = page.getByRole('dialog', { name: /^Notes on / });
    await noteDialog.getByLabel('New note on this event').fill(EVENT_NOTE);
    await noteDialog.getByRole('button', { name: 'Add note' }).click();
    await noteDialog.waitFor({ state: 'detached' });
    await expect
      .poll(() => login.getByRole('button', { name: /^notes on / }).textContent())
      .toBe('✎1');

    // The sign-in opened with its inclusion proof, checked now.
    await login.getByRole('button', { name: /with its proof$/ }).click();
    await page.getByTestId('proof-status').waitFor();
    expect(await page.getByTestId('proof-status').textContent()).toMatch(
      /^Inclusion proof verified just now/,
    );
    // From the event, "Add to case…" says it is there already.
    await page.getByRole('button', { name: 'Add to case…' }).click();
    const add = page.getByRole('dialog', { name: 'Add to case' });
    await add.getByRole('button', { name: 'Add', exact: true }).click();
    await expect
      .poll(() => add.getByTestId('add-to-case-result').textContent())
      .toBe('0 added, 1 already in the case.');
    await add.getByRole('button', { name: 'Done' }).click();
    await add.waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'event details' }).waitFor({ state: 'detached' });
    await shot(page, 'case-view-events');

    // A note on the case, in Markdown.
    await caseTab(page, 'notes');
    await page.getByLabel('New note on the case').fill(NOTE);
    await page.getByRole('button', { name: 'Add note' }).click();
    const notes = page.getByRole('list', { name: 'notes' }).getByRole('listitem');
    await expect.poll(() => notes.count()).toBe(2);
    expect(await notes.nth(1).locator('strong').textContent()).toBe('Escalate to the DPO.');
    await shot(page, 'case-notes');

    // A file, hashed as it comes in.
    await caseTab(page, 'evidence');
    await page.getByLabel('evidence file to attach').setInputFiles({
      name: 'hr-ticket-4711.txt',
      mimeType: 'text/plain',
      buffer: EVIDENCE,
    });
    await page.locator('[data-evidence="hr-ticket-4711.txt"]').waitFor();
    expect(await page.getByTestId('evidence-sha256').textContent()).toBe(EVIDENCE_SHA256);
    await shot(page, 'case-evidence');
    // And out again, byte for byte, as a download.
    const [saved] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Save hr-ticket-4711.txt' }).click(),
    ]);
    expect(saved.suggestedFilename()).toBe('hr-ticket-4711.txt');
    const savedPath = join(first.dir, 'downloaded-evidence.txt');
    await saved.saveAs(savedPath);
    expect(createHash('sha256').update(readFileSync(savedPath)).digest('hex')).toBe(
      EVIDENCE_SHA256,
    );

    await caseTab(page, 'timeline');
    const timeline = page.getByRole('list', { name: 'case timeline' });
    await timeline.waitFor();
    for (const kind of ['event', 'note', 'evidence', 'activity'])
      expect(await timeline.locator(`[data-kind="${kind}"]`).count(), kind).toBeGreaterThan(0);
    await shot(page, 'case-timeline');

    await caseTab(page, 'activity');
    await page.getByRole('table', { name: 'case activity' }).waitFor();
    for (const what of ['created', 'events added', 'tagged', 'note added', 'evidence added'])
      expect(await page.locator(`[data-custody="${what}"]`).count(), what).toBeGreaterThan(0);
    await shot(page, 'case-activity');
  });

  it('closes the case, which makes it read-only', async () => {
    await page.getByRole('button', { name: 'Send for review' }).click();
    await page.locator('[data-status="in-review"]').waitFor();
    await page.getByRole('button', { name: 'Close case' }).click();
    await page
      .getByRole('dialog', { name: 'Close this case?' })
      .getByRole('button', {
        name: 'Close case',
      })
      .click();
    await page.getByTestId('closed-banner').waitFor();
    expect(await page.getByRole('button', { name: 'Edit', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Reopen' }).isVisible()).toBe(true);
    await caseTab(page, 'events');
    await eventRows(page).first().waitFor();
    expect(await page.getByLabel('Tag', { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Add tag' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Take out of the case' }).isDisabled()).toBe(
      true,
    );
    await caseTab(page, 'notes');
    await page.getByText('The case is closed: reopen it to add a note.').waitFor();
    expect(await page.getByLabel('New note on the case').count()).toBe(0);
    await caseTab(page, 'evidence');
    expect(await page.getByRole('button', { name: 'Attach a file…' }).isDisabled()).toBe(true);
    await shot(page, 'case-closed');
  });

  it('exports the case as a BagIt bundle with every proof', async () => {
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const result = page.getByTestId('export-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toMatch(
      /^Exported 10 events with their inclusion proofs and 1 evidence file to /,
    );
    exportDir = (await page.getByTestId('export-dir').textContent())!;
    expect(exportDir.startsWith(join(first.dir, 'exports'))).toBe(true);
    expect(existsSync(join(exportDir, 'bagit.txt'))).toBe(true);
    expect(execFileSync('python3', [BAGIT_VALIDATOR, exportDir], { encoding: 'utf8' })).toBe(
      'valid\n',
    );
    await shot(page, 'case-exported');
  });

  it('brings the bundle into a fresh workspace: the same case, verified', async () => {
    const p2 = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    p2.on('pageerror', (e) => problems.push(e.message));
    p2.on('request', (req) => requests.push(req.url()));
    await p2.goto(second.server.url);
    await p2.getByRole('heading', { name: 'Overview' }).waitFor();
    await go(p2, 'cases');
    await p2.getByText('No cases yet.', { exact: false }).waitFor();
    await p2.getByRole('button', { name: 'Import a case bundle' }).click();
    await p2.getByLabel('Bundle folder').fill(exportDir);
    await p2.getByRole('button', { name: 'Import', exact: true }).click();
    const result = p2.getByTestId('import-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toContain(
      `Imported and verified: “${CASE_TITLE}”, 10 events and 1 evidence file.`,
    );
    expect(await result.textContent()).toContain(
      "Verified against this workspace's trust policydemo.custos.example/audit",
    );
    expect(await result.textContent()).not.toContain('only against the bundle');
    await shot(p2, 'case-import');
    await p2.getByRole('button', { name: 'Open the case' }).click();

    await p2.getByRole('heading', { name: CASE_TITLE, level: 2 }).waitFor();
    await p2.getByTestId('closed-banner').waitFor();
    expect(await p2.locator('[data-tab="events"]').textContent()).toBe('Events (10)');
    await expect.poll(() => eventRows(p2).count()).toBe(10);
    expect(await eventRows(p2).filter({ hasText: 'exfiltration' }).count()).toBe(6);
    expect(await eventRows(p2).filter({ hasText: 'earlier activity' }).count()).toBe(2);
    const description = p2.getByTestId('case-description');
    expect(await description.locator('[data-md="image"]').textContent()).toBe(
      'i [image not loaded]',
    );
    expect(await description.locator('script, img, a').count()).toBe(0);
    await caseTab(p2, 'notes');
    const notes = p2.getByRole('list', { name: 'notes' }).getByRole('listitem');
    await expect.poll(() => notes.count()).toBe(2);
    expect(await notes.nth(1).textContent()).toContain('Escalate to the DPO.');
    expect(await notes.nth(0).textContent()).toContain(EVENT_NOTE);
    await caseTab(p2, 'evidence');
    await p2.locator('[data-evidence="hr-ticket-4711.txt"]').waitFor();
    expect(await p2.getByTestId('evidence-sha256').textContent()).toBe(EVIDENCE_SHA256);
    await caseTab(p2, 'activity');
    await p2.locator('[data-custody="imported"]').waitFor();
    await shot(p2, 'case-imported-activity');
    expect(requests.filter((u) => u.includes('example.com'))).toEqual([]);
    await p2.close();
  });

  it("verifies the officer's activity journal, which holds every action taken", async () => {
    await go(page, 'journal');
    await page.getByRole('heading', { name: 'Activity journal', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Verify' }).click();
    const verdict = page.getByTestId('journal-verify');
    await verdict.waitFor({ timeout: 30_000 });
    expect(await verdict.textContent()).toMatch(/^The journal verifies: \d+ entries/);
    const actions = await page
      .getByRole('table', { name: 'journal entries' })
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    for (const action of [
      'detect.run',
      'case.create',
      'case.change',
      'search.run',
      'bookmark.add',
      'tag.add',
      'note.add',
      'event.open',
      'evidence.add',
      'case.status',
      'case.export',
    ])
      expect(actions, action).toContain(action);
    expect(
      await page
        .getByRole('table', { name: 'journal entries' })
        .locator('tbody tr')
        .first()
        .textContent(),
    ).toContain(OFFICER);
    await shot(page, 'journal');
    // The same, checked on the journal itself.
    expect(await first.journal.verify()).toMatchObject({ ok: true, problems: [] });
    // Each search is recorded with its own count.
    const searches = first.journal
      .list({ limit: 1000 })
      .filter((e) => e.action === 'search.run')
      .map((e) => e.details);
    expect(searches).toContainEqual({ query: 'actor:u-1187', total: 28 });
    expect(searches).not.toContainEqual({ query: 'actor:u-1187', total: 5000 });
  });

  it('shows every investigation screen in both themes, meeting WCAG 2 A and AA (axe-core)', async () => {
    // Evaluated through the browser's devtools protocol: the page's CSP allows no injected script.
    await page.evaluate(
      readFileSync(join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8') + '\n;0',
    );
    const screens: Array<[string, () => Promise<void>]> = [
      [
        'detections',
        async () => {
          await go(page, 'detections');
          await page.getByTestId('detect-summary').waitFor();
        },
      ],
      [
        'cases',
        async () => {
          await go(page, 'cases');
          await page.getByRole('table', { name: 'cases' }).waitFor();
        },
      ],
      ...(['events', 'notes', 'evidence', 'timeline', 'activity'] as const).map(
        (tab) =>
          [
            tab === 'events' ? 'case-view-events' : `case-${tab}`,
            async () => {
              if (!(await page.getByTestId('case-view').isVisible())) {
                await go(page, 'cases');
                await page.getByRole('button', { name: CASE_TITLE }).click();
                await page.getByTestId('case-view').waitFor();
              }
              await caseTab(page, tab);
              await page.locator(`#case-panel-${tab} > *`).first().waitFor();
            },
          ] as [string, () => Promise<void>],
      ),
      [
        'journal',
        async () => {
          await go(page, 'journal');
          await page.getByRole('table', { name: 'journal entries' }).waitFor();
        },
      ],
    ];
    for (const theme of ['Dark', 'Light']) {
      await go(page, 'settings');
      await page.getByLabel(theme).check();
      for (const [name, open] of screens) {
        await open();
        await page.mouse.move(0, 0);
        await page.waitForTimeout(400);
        if (theme === 'Dark') await shot(page, `${name}-dark`);
        expect(await axe(page), `${theme} ${name}`).toEqual([]);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect(unexpected, unexpected.join('\n')).toEqual([]);
  });
});
