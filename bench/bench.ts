/**
 * `npm run bench [-- --size N]`: the project's figures beside their references, measured in the same
 * run on the same data (see ../shared/design/PERFORMANCE.md). Prints one table and writes
 * bench/results/latest.json. Timings are reported, never asserted.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { generateDemoEvents } from '../main/demo/generateDemo';
import { encodeEntry } from '../shared/entry/model';
import { fmtRate, printTable, rate, timeCommand, type Row } from './lib';
import { searchFigures } from './searchBench';
import { syncFigures } from './syncBench';
import { reportFigures } from './reportBench';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values } = parseArgs({ options: { size: { type: 'string' }, keep: { type: 'boolean' } } });
const size = Number(values.size ?? 1_000_000);
if (!Number.isSafeInteger(size) || size < 100) throw new Error('--size must be an integer >= 100');

const work = mkdtempSync(join(tmpdir(), `custos-bench-${size}-`));
const custos = (...args: string[]) =>
  timeCommand(process.execPath, [join(REPO, 'bin/custos.mjs'), ...args]);
const rows: Row[] = [];
const results: Record<string, unknown> = {
  size,
  date: new Date().toISOString(),
  node: process.version,
};

async function writeData() {
  // The same entries, as the JSON lines a user would seal (and grep), and as raw entry bytes.
  const jsonl = createWriteStream(join(work, 'events.jsonl'));
  const raw = createWriteStream(join(work, 'entries.bin'));
  let bytes = 0;
  for (const event of generateDemoEvents({ size, seed: 1 })) {
    const entry = encodeEntry(event);
    bytes += entry.length;
    jsonl.write(JSON.stringify(event) + '\n');
    raw.write(entry);
    if (jsonl.writableNeedDrain) await once(jsonl, 'drain');
    if (raw.writableNeedDrain) await once(raw, 'drain');
  }
  jsonl.end();
  raw.end();
  await Promise.all([once(jsonl, 'close'), once(raw, 'close')]);
  return bytes;
}

try {
  console.log(`custos bench: ${size.toLocaleString('en-US')} demo entries in ${work}`);
  const t = performance.now();
  const bytes = await writeData();
  console.log(
    `generated ${size} entries (${(bytes / 1e6).toFixed(0)} MB canonical JSON, ${Math.round(bytes / size)} B/entry) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  const sha = await timeCommand('sha256sum', [join(work, 'entries.bin')]);
  const shaRate = rate(size, sha.seconds);

  const store = join(work, 'store');
  const seal = await custos(
    'seal',
    '--store',
    store,
    '--key',
    join(REPO, 'resources/demo/demo.key'),
    join(work, 'events.jsonl'),
  );
  const verify = await custos(
    'verify',
    '--store',
    store,
    '--trust',
    join(REPO, 'resources/demo/demo.pub'),
  );
  if (!/result: +OK/.test(verify.stdout))
    throw new Error(`the benchmark store does not verify:\n${verify.stdout}`);

  rows.push(
    {
      figure: 'seal (from JSON lines: parse, validate, canonicalise, hash, write tiles)',
      custos: fmtRate(rate(size, seal.seconds)),
      reference: `sha256sum ${fmtRate(shaRate)}`,
      ratio: (rate(size, seal.seconds) / shaRate).toFixed(3),
      goal: 'report',
    },
    {
      figure: 'verify --store (read bundles and tiles, hash every entry and node)',
      custos: fmtRate(rate(size, verify.seconds)),
      reference: `sha256sum ${fmtRate(shaRate)}`,
      ratio: (rate(size, verify.seconds) / shaRate).toFixed(3),
      goal: 'report',
    },
  );
  results.seal = {
    seconds: seal.seconds,
    entriesPerSecond: rate(size, seal.seconds),
    peakRssMb: seal.peakRssMb,
  };
  results.verifyStore = {
    seconds: verify.seconds,
    entriesPerSecond: rate(size, verify.seconds),
    peakRssMb: verify.peakRssMb,
  };
  results.sha256sum = { seconds: sha.seconds, entriesPerSecond: shaRate };

  const syncPart = await syncFigures({ repo: REPO, work, store, size, shaRate });
  rows.push(...syncPart.rows);
  Object.assign(results, syncPart.results);

  const searchPart = await searchFigures({ work, size, cache: syncPart.cache, key: syncPart.key });
  rows.push(...searchPart.rows);
  Object.assign(results, searchPart.results);

  const reportPart = await reportFigures({
    repo: REPO,
    work,
    cache: syncPart.cache,
    key: syncPart.key,
  });
  rows.push(...reportPart.rows);
  Object.assign(results, reportPart.results);

  console.log('');
  printTable(rows);
  console.log('');
  console.log(
    `peak RSS: seal ${seal.peakRssMb.toFixed(0)} MB, verify ${verify.peakRssMb.toFixed(0)} MB`,
  );
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  writeFileSync(
    join(REPO, 'bench/results/latest.json'),
    JSON.stringify({ ...results, rows }, null, 2) + '\n',
  );
  console.log('wrote bench/results/latest.json');
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
