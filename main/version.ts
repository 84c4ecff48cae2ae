/** This Custos's version (package.json), as reports and certificates state it. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CUSTOS_VERSION = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
    version: string;
  }
).version;
