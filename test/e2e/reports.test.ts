/**
 * Reports end to end, as an officer makes them in the console (web mode, real Chromium): the
 * monthly summary unsigned, previewed page by page; a wrong passphrase refused with nothing made;
 * the quarterly report signed with a PKCS#12 certificate made here by openssl, downloaded, and
 * checked by poppler's pdfsig and by `custos verify-report`; and the history holding both with
 * the SHA-256 of their files. Saves screenshots of the screen in both themes to
 * test-artifacts/screenshots and checks it with axe-core.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, TRUST_META } from '../../main/ipc/handlers';
import { Journal } from '../../main/journal/journal';
import { startWebServer, type WebServer } from '../../main/web/server';
import { CUSTOS_VERSION } from '../../main/version';
import { custos, tempDir } from '../helpers/cli';
import { REPO } from '../helpers/paths';
import { buildConsole, launchChromium, RENDERER, SHOTS } from '../helpers/browser';
import { searchableCache } from '../helpers/search';

const TRUST = join(REPO, 'resources/demo/demo.pub');
const OFFICER = 't.dlamini';
const ORGANISATION = 'Example Compliance (Pty) Ltd';
const PASSPHRASE = 'correct horse battery staple';

let dir = '';
let p12Path = '';
let server: WebServer;
let journal: Journal;
let closeCache: () => void;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const unexpected: string[] = [];
const requests: string[] = [];

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const reportsDir = () => join(dir, 'exports', 'reports');
const madeFiles = () => {
  try {
    return readdirSync(reportsDir()).filter((f) => f.endsWith('.pdf'));
  } catch {
    return [];
  }
};

/** A self-signed signing certificate and its key, as a passphrase-protected PKCS#12 file. */
function makeP12(into: string): string {
  const env = { ...process.env, CUSTOS_TEST_P12_PASS: PASSPHRASE };
  const run = (args: string[]) =>
    execFileSync('openssl', args, { cwd: into, env, stdio: ['ignore', 'pipe', 'pipe'] });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'thandi.key',
    '-out',
    'thandi.pem',
    '-days',
    '30',
    '-subj',
    '/C=ZA/O=Example Compliance/CN=Thandi Dlamini',
    '-addext',
    'keyUsage=critical,digitalSignature,nonRepudiation',
  ]);
  // The passphrase goes through the environment, never the command line (visible in ps).
  run([
    'pkcs12',
    '-export',
    '-inkey',
    'thandi.key',
    '-in',
    'thandi.pem',
    '-name',
    'Thandi Dlamini',
    '-passout',
    'env:CUSTOS_TEST_P12_PASS',
    '-out',
    'thandi.p12',
  ]);
  return join(into, 'thandi.p12');
}

beforeAll(async () => {
  buildConsole();
  mkdirSync(SHOTS, { recursive: true });
  dir = tempDir('custos-reports-');
  const store = join(dir, 'store');
  const r = await custos('demo', '--out', store, '--size', '5000');
  expect(r.code, r.stderr).toBe(0);
  const ws = await searchableCache(dir, store, TRUST);
  ws.cache.setMeta(TRUST_META, readFileSync(TRUST, 'utf8'));
  journal = Journal.open(ws.cache, ws.path, { officer: OFFICER });
  let web: WebServer | null = null;
  const handlers = createHandlers({
    cachePath: ws.path,
    store: ws.cache,
    key: ws.key,
    emit: (e, p) => web?.emit(e, p),
    officer: OFFICER,
    journal,
    exportsDir: join(dir, 'exports'),
    custosVersion: CUSTOS_VERSION,
    offerDownload: (name, type, produce) => web!.offerDownload(name, type, produce),
  });
  web = await startWebServer({
    handlers,
    staticDir: RENDERER,
    onUnexpected: (channel, e) => unexpected.push(`${channel}: ${String(e)}`),
  });
  server = web;
  closeCache = () => ws.cache.close();
  mkdirSync(join(dir, 'pki'));
  p12Path = makeP12(join(dir, 'pki'));

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('request', (req) => requests.push(req.url()));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  closeCache?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A screenshot of the screen from its top (or from `at`), with no hover effects. */
async function shot(name: string, at?: string) {
  await page.mouse.move(0, 899);
  if (at) await page.locator(at).scrollIntoViewIfNeeded();
  else await page.evaluate('document.querySelector("main").scrollTo(0, 0)');
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Runs axe-core's WCAG 2 A and AA rules on the page as it is. */
async function axe(): Promise<string[]> {
  return (await page.evaluate(
    'axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } })' +
      '.then((r) => r.violations.map((v) => v.id + " (" + v.impact + "): " + JSON.stringify(v.nodes[0].target)))',
  )) as string[];
}

/** How many of the preview canvas's pixels are not white: zero for a blank page. */
async function inkedPixels(): Promise<number> {
  // A string: the tests compile without the DOM's types.
  return (await page.evaluate(`(() => {
    const c = document.querySelector('[data-testid="report-preview"] canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200) n++;
    return n;
  })()`)) as number;
}

const choose = async (label: string, option: string) => {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option }).click();
};
const historyRows = () => page.getByRole('table', { name: 'reports made' }).locator('tbody tr');
const preview = () => page.getByTestId('report-preview');

describe('reports, from the form to a signed PDF that verifies', () => {
  it('makes the monthly audit summary unsigned and previews its first page', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('[data-screen="reports"]').click();
    await page.getByRole('heading', { name: 'Reports', level: 2 }).waitFor();
    await page.getByText('No reports yet', { exact: false }).waitFor();
    // The period follows the newest data in the cache, in the template's form.
    await expect.poll(() => page.getByLabel('Period').inputValue()).toMatch(/^2026-\d\d$/);
    await page.getByLabel('Period').fill('2026-13');
    await page.getByText('A month is 01 to 12.').waitFor();
    await page.getByLabel('Period').fill('2026-08');
    await page.getByText('August 2026 (1 to 31 August 2026), UTC').waitFor();
    await page.getByLabel('Organisation').fill(ORGANISATION);
    await shot('reports-form');

    await page.getByRole('button', { name: 'Make report' }).click();
    const result = page.getByTestId('report-result');
    await result.waitFor({ timeout: 120_000 });
    expect(await result.textContent()).toContain('Not signed');
    const sha = (await page.getByTestId('report-sha256').textContent())!;
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(madeFiles()).toHaveLength(1);
    expect(sha256(readFileSync(join(reportsDir(), madeFiles()[0])))).toBe(sha);

    await expect.poll(() => historyRows().count()).toBe(1);
    expect(await historyRows().first().getAttribute('data-sha256')).toBe(sha);
    expect(await historyRows().first().textContent()).toContain('Monthly audit summary2026-08');

    await preview().locator('canvas[data-page="1"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('preview-page').textContent()).toMatch(/^Page 1 of \d+$/);
    expect(await preview().getByRole('heading').textContent()).toBe(
      'Preview: Monthly audit summary, 2026-08',
    );
    expect(await inkedPixels()).toBeGreaterThan(2000);
    // The PDF is pixels here: none of its text, links or forms became HTML.
    expect(await preview().locator('a, input, .textLayer, .annotationLayer').count()).toBe(0);
    await shot('reports-result');
  });

  it('turns the preview’s pages with the buttons and the keyboard', async () => {
    const pages = Number(
      /of (\d+)/.exec((await page.getByTestId('preview-page').textContent())!)![1],
    );
    if (pages < 2) return;
    await preview().getByRole('button', { name: 'Next ›' }).click();
    await preview().locator('canvas[data-page="2"]').waitFor();
    expect(await page.getByTestId('preview-page').textContent()).toBe(`Page 2 of ${pages}`);
    await preview().locator('canvas').focus();
    await page.keyboard.press('End');
    await preview().locator(`canvas[data-page="${pages}"]`).waitFor();
    expect(await preview().getByRole('button', { name: 'Next ›' }).isDisabled()).toBe(true);
    await page.keyboard.press('Home');
    await preview().locator('canvas[data-page="1"]').waitFor();
    expect(await preview().locator('canvas').getAttribute('aria-label')).toMatch(
      new RegExp(`^Page 1 of ${pages} of `),
    );
  });

  it('refuses a wrong passphrase clearly, and makes nothing', async () => {
    await choose('Template', 'Quarterly certified compliance report');
    expect(await page.getByLabel('Period').inputValue()).toBe('2026-Q3');
    await page.getByLabel('Signatory name').fill('Thandi Dlamini');
    await page.getByLabel('Signatory role').fill('Chief compliance officer');
    await page.getByLabel('PKCS#12 certificate file').setInputFiles(p12Path);
    await page.getByTestId('report-p12').waitFor();
    await page.getByLabel('Certificate passphrase').fill('not the passphrase');
    await page.getByRole('button', { name: 'Make and sign report' }).click();
    const error = page.getByRole('alert').filter({ hasText: 'No report was made' });
    await error.waitFor({ timeout: 120_000 });
    expect(await error.textContent()).toContain('the PKCS#12 passphrase is wrong');
    expect(await page.getByLabel('Certificate passphrase').inputValue()).toBe('');
    expect(madeFiles()).toHaveLength(1);
    expect(await historyRows().count()).toBe(1);
    const made = journal.list({ limit: 1000 }).filter((e) => e.action === 'report.create');
    expect(made).toHaveLength(1);
    await shot('reports-wrong-passphrase');
  });

  it('makes the quarterly report signed, and the download verifies', async () => {
    await page.getByLabel('Certificate passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Make and sign report' }).click();
    expect(await page.getByLabel('Certificate passphrase').inputValue()).toBe('');
    // The steps come as they happen; catch them on screen if the report is slow enough.
    const progress = page.getByTestId('report-progress');
    if (await progress.isVisible()) await shot('reports-progress');
    const result = page.getByTestId('report-result');
    await result.waitFor({ timeout: 120_000 });
    expect(await result.textContent()).toContain('Report made and signed by Thandi Dlamini.');
    const sha = (await page.getByTestId('report-sha256').textContent())!;

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the PDF' }).click(),
    ]);
    const file = join(dir, 'downloaded.pdf');
    await download.saveAs(file);
    expect(download.suggestedFilename()).toMatch(/^custos-quarterly-2026-Q3-.*\.pdf$/);
    expect(sha256(readFileSync(file))).toBe(sha);
    await page.getByText('Downloaded.', { exact: false }).waitFor();

    const sig = spawnSync('pdfsig', [file], { encoding: 'utf8' });
    expect(sig.stdout, sig.stderr).toContain('Signature is Valid');
    expect(sig.stdout).toContain('Total document signed');
    expect(sig.stdout).toContain('Thandi Dlamini');
    const verified = await custos('verify-report', file, '--trust', TRUST);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('result: OK, the report verifies');

    await preview().locator('canvas[data-page="1"]').waitFor({ timeout: 30_000 });
    expect(await preview().getByRole('heading').textContent()).toBe(
      'Preview: Quarterly certified compliance report, 2026-Q3',
    );
    expect(await inkedPixels()).toBeGreaterThan(2000);
    await shot('reports-signed');
    // The visible signature is on the certification page, painted into the canvas like the rest.
    await preview().getByRole('button', { name: 'Next ›' }).click();
    await preview().locator('canvas[data-page="2"]').waitFor({ timeout: 30_000 });
    expect(await inkedPixels()).toBeGreaterThan(2000);
    await shot('reports-signed-page2', '[data-testid="report-preview"] canvas');
    // pdf.js parsed it in its worker, a script of this origin that the CSP allows.
    expect(page.workers().map((w) => w.url())).toContainEqual(
      expect.stringMatching(new RegExp(`^${server.origin}/assets/pdf\\.worker[^/]*\\.js$`)),
    );
  });

  it('keeps both in the history with the SHA-256 of their files, each previewable', async () => {
    await expect.poll(() => historyRows().count()).toBe(2);
    const files = Object.fromEntries(
      madeFiles().map((f) => [sha256(readFileSync(join(reportsDir(), f))), f]),
    );
    const rows = await historyRows().evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-sha256'), tr.textContent]),
    );
    expect(rows).toHaveLength(2);
    expect(files[rows[0][0]!]).toMatch(/^custos-quarterly-2026-Q3-/);
    expect(rows[0][1]).toContain('Thandi Dlamini');
    expect(files[rows[1][0]!]).toMatch(/^custos-monthly-2026-08-/);
    expect(rows[1][1]).toContain('not signed');

    await historyRows()
      .nth(1)
      .getByRole('button', { name: /^preview / })
      .click();
    await expect
      .poll(() => preview().getByRole('heading').textContent())
      .toBe('Preview: Monthly audit summary, 2026-08');
    await preview().locator('canvas[data-page="1"]').waitFor({ timeout: 30_000 });
    expect(await inkedPixels()).toBeGreaterThan(2000);
    await shot('reports-history', '[aria-labelledby="report-history-title"]');
  });

  it('shows the Reports screen in both themes, meeting WCAG 2 A and AA (axe-core)', async () => {
    // Evaluated through the browser's devtools protocol: the page's CSP allows no injected script.
    await page.evaluate(
      readFileSync(join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8') + '\n;0',
    );
    for (const theme of ['Dark', 'Light']) {
      await page.locator('[data-screen="settings"]').click();
      await page.getByLabel(theme).check();
      await page.locator('[data-screen="reports"]').click();
      await historyRows().first().waitFor();
      await historyRows()
        .first()
        .getByRole('button', { name: /^preview / })
        .click();
      await preview().locator('canvas[data-page="1"]').waitFor({ timeout: 30_000 });
      await page.waitForTimeout(400);
      if (theme === 'Dark') {
        await shot('reports-dark');
        await shot('reports-history-dark', '[aria-labelledby="report-history-title"]');
      }
      expect(await axe(), `${theme} reports`).toEqual([]);
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(server.origin))).toEqual([]);
    // A wrong passphrase is the officer's mistake, not the server's: only it may show here.
    expect(unexpected, unexpected.join('\n')).toEqual([]);
  });
});
