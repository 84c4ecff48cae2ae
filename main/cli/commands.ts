/** The `custos` commands of the log core: keygen, seal, verify --store, proof --store, demo. */
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toBase64 } from '../../shared/bytes';
import { INPUT_FORMATS, readInputs, type InputFormat } from '../ingest/readInputs';
import { EntrySpool } from '../ingest/spool';
import { readLogKey, readTrust, writeKeyPair } from '../tlog/keys';
import { sealEntries } from '../tlog/seal';
import { FolderStorage, openStorage, openWritableStorage } from '../tlog/storage';
import { verifyStore } from '../tlog/verifyStore';
import { proveEntryInStore } from '../tlog/storeProof';
import { encodeEntry } from '../../shared/entry/model';
import { nonNegativeInteger, parseCommandArgs, required } from './args';
import { EXIT_OK, EXIT_USAGE, EXIT_VERIFY_FAILED, UsageError } from './errors';
import type { Output } from './output';

export const RESOURCES = resolve(fileURLToPath(new URL('../../resources', import.meta.url)));

export async function keygenCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    origin: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  });
  const origin = required(values.origin, '--origin');
  const result = await writeKeyPair(required(values.out, '--out'), origin);
  if (values.json) out.json(result);
  else {
    out.line(`private key: ${result.keyPath} (keep it secret; mode 0600)`);
    out.line(`verifier key: ${result.pubPath}`);
    out.line(result.verifierKey);
  }
  return EXIT_OK;
}

export async function sealCommand(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      store: { type: 'string' },
      key: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean' },
    },
    true,
  );
  const storeDir = required(values.store, '--store');
  const format = (values.format ?? 'custos') as InputFormat;
  if (!INPUT_FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${INPUT_FORMATS.join(', ')}`);
  if (positionals.length === 0) throw new UsageError('give at least one input file');
  const key = await readLogKey(required(values.key, '--key'));

  // Every record is validated (and spooled) before anything is written: a bad input leaves the
  // store untouched.
  const spool = await EntrySpool.create();
  try {
    const bad: string[] = [];
    for await (const rec of readInputs(positionals, format)) {
      if (rec.ok) await spool.add(rec.entry);
      else bad.push(`${rec.where}: ${rec.message}`);
    }
    if (bad.length > 0) {
      for (const b of bad.slice(0, 20)) out.error(b);
      if (bad.length > 20) out.error(`... and ${bad.length - 20} more bad records`);
      out.error(`custos seal: ${bad.length} bad record(s); nothing was sealed`);
      return EXIT_USAGE;
    }
    const storage = await openWritableStorage(storeDir);
    const progress = out.progress('sealing', spool.size);
    const result = await sealEntries(storage, key, spool.entries(), {
      onProgress: (n) => progress.update(n),
    });
    progress.done();
    const summary = {
      origin: result.origin,
      previousSize: result.previousSize,
      size: result.size,
      added: result.size - result.previousSize,
      root: toBase64(result.root),
    };
    if (values.json) out.json(summary);
    else {
      out.line(
        `sealed ${summary.added} entries into ${storage.location}: origin ${summary.origin}, size ${summary.size}, root ${summary.root}`,
      );
    }
    return EXIT_OK;
  } finally {
    await spool.dispose();
  }
}

export async function verifyStoreCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    store: { type: 'string' },
    trust: { type: 'string' },
    json: { type: 'boolean' },
  });
  const storage = await openStorage(required(values.store, '--store'));
  const trust = await readTrust(required(values.trust, '--trust'));
  const progress = out.progress('verifying segments');
  const report = await verifyStore(storage, trust, (done, total) => progress.update(done, total));
  progress.done();
  if (values.json) {
    out.json(report);
  } else {
    const okSegments = report.segments.filter((s) => s.ok).length;
    out.line(`store:    ${report.location}`);
    out.line(`origin:   ${report.origin ?? '(unknown)'}`);
    out.line(`entries:  ${report.size ?? '(unknown)'}`);
    out.line(`root:     ${report.root ?? '(unknown)'}`);
    out.line(`signed:   ${report.signedBy.join(', ') || '(no trusted signature)'}`);
    out.line(
      `segments: ${report.segments.length} (${okSegments} verified, ${report.segments.length - okSegments} failed)`,
    );
    for (const p of report.problems) {
      const where = [
        p.segment !== undefined ? `segment ${p.segment}` : null,
        p.entry !== undefined ? `entry ${p.entry}` : null,
      ]
        .filter(Boolean)
        .join(', ');
      out.line(`PROBLEM   ${where ? `${where}: ` : ''}${p.path}: ${p.message}`);
    }
    out.line(
      report.ok
        ? 'result:   OK, the store verifies'
        : `result:   FAILED, ${report.problems.length} problem(s)`,
    );
  }
  if (!report.ok) {
    const first = report.problems[0];
    out.error(
      `custos verify: ${first.segment !== undefined ? `segment ${first.segment}, ` : ''}${first.entry !== undefined ? `entry ${first.entry}, ` : ''}${first.path}: ${first.message}`,
    );
  }
  return report.ok ? EXIT_OK : EXIT_VERIFY_FAILED;
}

export async function proofStoreCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    store: { type: 'string' },
    entry: { type: 'string' },
    trust: { type: 'string' },
  });
  const storage = await openStorage(required(values.store, '--store'));
  const index = nonNegativeInteger(required(values.entry, '--entry'), '--entry', 0);
  const trust = values.trust ? await readTrust(values.trust) : undefined;
  const { proofText } = await proveEntryInStore(storage, index, trust);
  out.raw(proofText);
  return EXIT_OK;
}

export async function demoCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    out: { type: 'string' },
    size: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
  });
  const dir = required(values.out, '--out');
  const size = nonNegativeInteger(values.size, '--size', 200_000);
  const seed = nonNegativeInteger(values.seed, '--seed', 1);
  if (size < 1) throw new UsageError('--size must be at least 1');
  await mkdir(dir, { recursive: true });
  const existing = await readdir(dir);
  if (existing.length > 0)
    throw new UsageError(`--out ${dir} is not empty; the demo writes a new store`);
  const { generateDemoEvents, DEMO_ORIGIN } = await import('../demo/generateDemo');
  const key = await readLogKey(join(RESOURCES, 'demo', 'demo.key'));
  if (key.name !== DEMO_ORIGIN)
    throw new UsageError(`the bundled demo key is for ${key.name}, not ${DEMO_ORIGIN}`);
  const storage = new FolderStorage(dir);
  const entries = function* () {
    for (const event of generateDemoEvents({ size, seed })) yield encodeEntry(event);
  };
  const progress = out.progress('sealing demo entries', size);
  const result = await sealEntries(storage, key, entries(), {
    onProgress: (n) => progress.update(n),
  });
  progress.done();
  const trustPath = join(RESOURCES, 'demo', 'demo.pub');
  if (values.json)
    out.json({
      store: storage.location,
      origin: result.origin,
      size: result.size,
      root: toBase64(result.root),
      trust: trustPath,
    });
  else {
    out.line(`demo store: ${storage.location} (${result.size} entries, 2026-Q3, seed ${seed})`);
    out.line(`origin ${result.origin}, root ${toBase64(result.root)}`);
    out.line(`verify it: npx custos verify --store ${storage.location} --trust ${trustPath}`);
  }
  return EXIT_OK;
}
