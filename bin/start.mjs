#!/usr/bin/env node
// `npm start`: until the console arrives, prepares the demo workspace (a demo store, a cache key and
// a verified, encrypted cache synced from the store) and prints how to explore it with the CLI.
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../main/cli/main.ts');
const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const home = process.env.CUSTOS_HOME ?? join(homedir(), '.custos');
const ws = join(home, 'demo');
const store = join(ws, 'store');
const keyFile = join(ws, 'cache.key');
const cache = join(ws, 'cache.db');
const trust = join(repo, 'resources/demo/demo.pub');
mkdirSync(ws, { recursive: true, mode: 0o700 });

const run = async (...args) => {
  const code = await runCli(args);
  if (code !== 0) process.exit(code);
};
if (!existsSync(join(store, 'checkpoint'))) {
  console.log(`Creating the demo store in ${store} (200,000 entries, about half a minute)...`);
  await run('demo', '--out', store);
}
if (!existsSync(keyFile)) await run('cache', 'new-key', '--out', keyFile);
console.log('Syncing the demo store into the encrypted cache...');
await run('sync', '--cache', cache, '--key-file', keyFile, '--from', store, '--trust', trust);
await run('verify', '--cache', cache, '--key-file', keyFile);
console.log(`
The demo workspace is ready in ${ws}. The console (desktop and web mode) is not built yet;
meanwhile, explore it with the command line:
  npx custos cache info --cache ${cache} --key-file ${keyFile}
  npx custos proof --cache ${cache} --key-file ${keyFile} --entry 1234
  npx custos verify --store ${store} --trust ${trust}`);
