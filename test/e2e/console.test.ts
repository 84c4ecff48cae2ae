/**
 * The console end to end, as a new user meets it: web mode over a demo workspace, driven in real
 * Chromium. Saves a screenshot of every screen in test-artifacts/screenshots (look at them).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, TRUST_META } from '../../main/ipc/handlers';
import { readLogKey } from '../../main/tlog/keys';
import { sealEntries } from '../../main/tlog/seal';
import { FolderStorage } from '../../main/tlog/storage';
import { startWebServer, type WebServer } from '../../main/web/server';
import { custos, tempDir } from '../helpers/cli';
import { encodeEvents } from '../helpers/cache';
import { REPO } from '../helpers/paths';
import { buildConsole, launchChromium, RENDERER, SHOTS } from '../helpers/browser';
import { searchableCache } from '../helpers/search';

let ws: Awaited<ReturnType<typeof searchableCache>>;
let store: string;
let server: WebServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // The console as built for users.
  buildConsole();
  mkdirSync(SHOTS, { recursive: true });

  const dir = tempDir('custos-e2e-');
  store = join(dir, 'store');
  // The demo's own key signs it, so the store can grow (and be tampered with) later in the test.
  const r = await custos('demo', '--out', store, '--size', '5000');
  expect(r.code, r.stderr).toBe(0);
  const trust = join(REPO, 'resources/demo/demo.pub');
  ws = await searchableCache(dir, store, trust);
  ws.cache.setMeta(TRUST_META, readFileSync(trust, 'utf8'));
  let sink: WebServer['emit'] = () => {};
  const handlers = createHandlers({
    cachePath: ws.path,
    store: ws.cache,
    key: ws.key,
    emit: (e, p) => sink(e, p),
    offerDownload: (name, type, produce) => server.offerDownload(name, type, produce),
  });
  server = await startWebServer({ handlers, staticDir: RENDERER });
  sink = server.emit;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  (page as unknown as { problems: string[] }).problems = problems;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  ws?.cache.close();
});

/** A cell of the results grid (AG Grid's scrolling rows, not its hidden measuring copies). */
const cell = (row: number, col: string) =>
  page.locator(`.ag-grid-scrolling-rows .ag-row[row-index="${row}"] .ag-cell[col-id="${col}"]`);

const shot = (name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
const problems = () => (page as unknown as { problems: string[] }).problems;

describe('the console in web mode', () => {
  it('opens on the overview of the verified demo workspace', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await expect.poll(() => page.getByText('5,000').first().isVisible()).toBe(true);
    expect(await page.getByText('Verified', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByText('demo.custos.example/audit').first().isVisible()).toBe(true);
    // The token left the address bar once it was read.
    expect(page.url()).not.toContain('token=');
    await shot('01-overview');
  });

  it('searches, and the grid and facets narrow', async () => {
    await page.locator('[data-screen="explorer"]').click();
    const count = page.getByTestId('match-count');
    await expect.poll(() => count.textContent()).toBe('5,000 matching entries');
    await cell(0, 'time').waitFor();
    await shot('02-explorer');
    const box = page.getByLabel('search query');
    await box.fill('action:customer.export');
    await box.press('Enter');
    await expect.poll(() => count.textContent()).toMatch(/^\d+ matching entries$/);
    const exports = Number((await count.textContent())!.split(' ')[0].replace(/,/g, ''));
    expect(exports).toBeGreaterThan(6);
    expect(exports).toBeLessThan(5000);
    await cell(0, 'time').waitFor();
    await expect.poll(() => cell(0, 'action').textContent()).toBe('customer.export');
    // A facet click filters on that value.
    await page.locator('[data-facet="actor=u-1187"]').click();
    await expect.poll(() => count.textContent()).toBe('6 matching entries');
    expect(await box.inputValue()).toBe('action:customer.export AND actor:"u-1187"');
    await shot('03-explorer-filtered');
    // A custom time range narrows it further, both ends included.
    await page.getByRole('button', { name: 'Custom', exact: true }).click();
    await page.getByLabel('From (UTC)').fill('2026-08-14T02:00');
    await page.getByLabel('To (UTC)').fill('2026-08-14T02:29');
    await page.getByLabel('To (UTC)').press('Enter');
    await expect.poll(() => count.textContent()).toBe('4 matching entries');
    await shot('03b-explorer-time-range');
    await page.getByRole('button', { name: 'All time', exact: true }).click();
    await expect.poll(() => count.textContent()).toBe('6 matching entries');
  });

  it('exports the results as CSV, downloaded by the browser', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      (async () => {
        await page.getByRole('button', { name: 'Export', exact: true }).click();
        await page.getByRole('menuitem', { name: 'CSV (a spreadsheet)' }).click();
      })(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^custos-export-[\d-]+\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv[0]).toMatch(/^log,index,time,kind,source,category,action,outcome,actor,/);
    expect(csv).toHaveLength(7);
    expect(csv.slice(1).every((l) => l.includes(',customer.export,success,u-1187,'))).toBe(true);
  });

  it('explains a query error where it is', async () => {
    const box = page.getByLabel('search query');
    await box.fill('actor:(u-1187 OR');
    await box.press('Enter');
    await page
      .getByText('the query ends where a term was expected at column 17', { exact: true })
      .waitFor();
    // Said once, under the query, not again by every panel.
    expect(await page.getByText('the query ends where a term was expected').count()).toBe(1);
    await shot('04-query-error');
    await box.fill('action:customer.export AND actor:"u-1187"');
    await box.press('Enter');
    await expect
      .poll(() => page.getByTestId('match-count').textContent())
      .toBe('6 matching entries');
  });

  it('opens an event with its inclusion proof verified', async () => {
    const firstAction = cell(0, 'action');
    await expect.poll(() => firstAction.textContent()).toBe('customer.export');
    await firstAction.click();
    const status = page.getByTestId('proof-status');
    await status.waitFor();
    expect(await status.textContent()).toMatch(
      /^Inclusion proof verified just now: entry \d+ is in the log demo.custos.example\/audit at the signed checkpoint of size 5,000/,
    );
    const json = JSON.parse((await page.getByTestId('entry-json').textContent())!);
    expect(json.actor.id).toBe('u-1187');
    await shot('05-event');
    await page.getByRole('button', { name: 'close' }).click();
  });

  it('works from the keyboard: / to search, arrows and Enter to open an event, Escape to close', async () => {
    await page.locator('body').click({ position: { x: 5, y: 880 } });
    await page.keyboard.press('/');
    const box = page.getByLabel('search query');
    expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe(
      'search query',
    );
    await box.fill('action:customer.export AND actor:"u-1187"');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('match-count').textContent())
      .toBe('6 matching entries');
    await cell(0, 'time').click();
    await page.keyboard.press('Escape'); // the click opened the first event
    await page.getByRole('dialog', { name: 'event details' }).waitFor({ state: 'detached' });
    await cell(0, 'time').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('proof-status').waitFor();
    expect(await page.getByRole('heading', { name: /^Event #\d+$/ }).textContent()).toBe(
      `Event #${await cell(1, 'index').textContent()}`,
    );
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'event details' }).waitFor({ state: 'detached' });
  });

  it('raises a visible alarm when a sync meets a tampered store', async () => {
    // The log grows by a segment, and someone alters an entry in it before the sync.
    await sealEntries(
      new FolderStorage(store),
      await readLogKey(join(REPO, 'resources/demo/demo.key')),
      encodeEvents(90_000, 300),
    );
    const bundle = join(store, 'tile', 'entries', '019');
    const bytes = readFileSync(bundle);
    bytes[100] ^= 1;
    writeFileSync(bundle, bytes);
    await page.locator('[data-screen="sync"]').click();
    // Testing the source reads its new checkpoint: signed by a trusted key, so it looks fine...
    await page.getByLabel('Location').fill(store);
    await page.getByRole('button', { name: 'Test' }).click();
    await expect
      .poll(() => page.getByTestId('source-test').textContent())
      .toBe('a checkpoint of demo.custos.example/audit at size 5300, signed by a trusted key');
    await shot('06-sync-test-source');
    // ...but the sync checks every entry against it.
    await page.getByRole('button', { name: 'Sync now' }).click();
    const result = page.getByTestId('sync-result');
    await result.waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toMatch(/^alarm: /);
    await shot('07-sync-alarm');
    await page.locator('[data-screen="overview"]').click();
    await page.getByTestId('alarm-banner').waitFor();
    expect(await page.getByTestId('alarm-banner').textContent()).toMatch(/1 open alarm/);
    await shot('08-overview-alarm');
    await page.locator('[data-screen="verification"]').click();
    await page.getByTestId('alarm').first().click();
    await page.getByRole('button', { name: 'Acknowledge' }).waitFor();
    await page.waitForTimeout(400); // the panel finishes opening
    await shot('09-verification-alarm');
    await page.getByRole('button', { name: 'Re-verify the cache' }).click();
    await page.getByTestId('verify-result').waitFor({ timeout: 60_000 });
    // What was stored is intact: nothing from the tampered segment got in.
    expect(await page.getByTestId('verify-result').textContent()).toMatch(
      /^Every entry, tile and checkpoint verified/,
    );
    await shot('10-verification');
  });

  it('has settings and a dark theme, and no errors in the page', async () => {
    await page.locator('[data-screen="settings"]').click();
    await page.getByLabel('Dark').check();
    expect(await page.getByLabel('Light').isChecked()).toBe(false);
    await page.waitForTimeout(300); // the radio's dot finishes moving
    await shot('11-settings-dark');
    await page.locator('[data-screen="explorer"]').click();
    await cell(0, 'time').waitFor();
    await shot('12-explorer-dark');
    expect(problems(), problems().join('\n')).toEqual([]);
  });

  it('meets WCAG 2 A and AA on every screen, in both themes (axe-core)', async () => {
    // Evaluated through the browser's devtools protocol: the page's CSP allows no injected script.
    await page.evaluate(
      readFileSync(join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8') + '\n;0',
    );
    for (const theme of ['Dark', 'Light']) {
      await page.locator('[data-screen="settings"]').click();
      await page.getByLabel(theme).check();
      for (const screen of ['overview', 'explorer', 'sync', 'verification', 'settings']) {
        await page.locator(`[data-screen="${screen}"]`).click();
        await page
          .getByRole('heading', { level: 2 })
          .or(page.getByLabel('search query'))
          .first()
          .waitFor();
        await page.waitForTimeout(500);
        const violations = (await page.evaluate(
          'axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } })' +
            '.then((r) => r.violations.map((v) => v.id + " (" + v.impact + "): " + JSON.stringify(v.nodes[0].target)))',
        )) as string[];
        expect(violations, `${theme} ${screen}`).toEqual([]);
      }
    }
  });
});
