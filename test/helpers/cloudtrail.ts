/** The 55 CloudTrail delivery files of the Invictus dataset, and sealing them with custos seal. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { custos } from './cli';
import { DATASETS } from './paths';

export const CLOUDTRAIL_DIR = join(DATASETS, 'cloudtrail-invictus', 'CloudTrail');

export function cloudTrailFiles(): string[] {
  return readdirSync(CLOUDTRAIL_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(CLOUDTRAIL_DIR, f));
}

/** Seals `files` into `store` with `key` in the cloudtrail format; the CLI's result. */
export function sealCloudTrail(store: string, key: string, files: string[]) {
  return custos('seal', '--store', store, '--key', key, '--format', 'cloudtrail', ...files);
}
