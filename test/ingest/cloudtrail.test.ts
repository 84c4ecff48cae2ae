/** The 55 real CloudTrail delivery files seal into a store of exactly 2,900 entries that verifies. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, parseJsonStrict, type JsonValue } from '../../shared/entry/json';
import { decodeEntry } from '../../shared/entry/model';
import { fromUtf8 } from '../../shared/bytes';
import { parseEntryBundle, TILE_WIDTH, tilePath } from '../../shared/tlog/tiles';
import { custos, tempDir } from '../helpers/cli';
import { cloudTrailFiles, sealCloudTrail } from '../helpers/cloudtrail';

let dir: string;
let files: string[];

beforeAll(async () => {
  dir = tempDir();
  files = cloudTrailFiles();
  await custos('keygen', '--origin', 'cloudtrail.example/audit', '--out', join(dir, 'ct'));
});

describe('CloudTrail import', () => {
  it('seals all 55 files into exactly 2,900 entries that verify, each holding its record unchanged', async () => {
    expect(files).toHaveLength(55);
    const store = join(dir, 'store');
    const r = await sealCloudTrail(store, join(dir, 'ct.key'), files);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const v = await custos('verify', '--store', store, '--trust', join(dir, 'ct.pub'));
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/entries: +2900\n/);

    const originals: JsonValue[] = files.flatMap(
      (f) => (parseJsonStrict(readFileSync(f, 'utf8')) as { Records: JsonValue[] }).Records,
    );
    expect(originals).toHaveLength(2900);
    const entries: Uint8Array[] = [];
    for (let k = 0; k * TILE_WIDTH < 2900; k++) {
      const width = Math.min(TILE_WIDTH, 2900 - k * TILE_WIDTH);
      entries.push(
        ...parseEntryBundle(
          new Uint8Array(
            readFileSync(join(store, tilePath({ level: 'entries', index: k, width }))),
          ),
          width,
        ),
      );
    }
    entries.forEach((bytes, i) => {
      const { entry, canonical } = decodeEntry(bytes);
      expect(canonical).toBe(true);
      expect(entry.kind).toBe('aws.cloudtrail/v1');
      // Byte for byte: the entry is exactly the canonical envelope of the original record.
      expect(fromUtf8(bytes)).toBe(
        canonicalJson({ kind: 'aws.cloudtrail/v1', record: originals[i] }),
      );
    });
  });

  it('reads gzipped delivery files, as AWS writes them', async () => {
    const gz = join(dir, 'one.json.gz');
    writeFileSync(gz, gzipSync(readFileSync(files[0])));
    const store = join(dir, 'gz');
    const r = await custos(
      'seal',
      '--store',
      store,
      '--key',
      join(dir, 'ct.key'),
      '--format',
      'cloudtrail',
      gz,
      '--json',
    );
    expect(r.code).toBe(0);
    const expected = (JSON.parse(readFileSync(files[0], 'utf8')) as { Records: unknown[] }).Records
      .length;
    expect(JSON.parse(r.stdout).size).toBe(expected);
  });

  it('names the file and record of a bad CloudTrail input', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ Records: [{ eventName: 'ok' }, 42] }));
    const notCt = join(dir, 'notct.json');
    writeFileSync(notCt, JSON.stringify({ records: [] }));
    const r = await custos(
      'seal',
      '--store',
      join(dir, 'never'),
      '--key',
      join(dir, 'ct.key'),
      '--format',
      'cloudtrail',
      bad,
      notCt,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: Records[1]: a CloudTrail record must be a JSON object`);
    expect(r.stderr).toContain(`${notCt}: not a CloudTrail delivery file`);
  });
});
