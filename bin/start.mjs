#!/usr/bin/env node
// `npm start`: prepares the demo workspace (a demo store, a cache key and a verified, encrypted
// cache synced from it), builds the console if needed, then opens it: in the desktop shell where
// Electron's runtime is installed (or can be) and there is a display, else in web mode, printing
// the address to open in a browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { buildConsole } from './build.mjs';

register();
const { runCli } = await import('../main/cli/main.ts');
const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const home = process.env.CUSTOS_HOME ?? join(homedir(), '.custos');
const ws = join(home, 'demo');
const store = join(ws, 'store');
const keyFile = join(ws, 'cache.key');
const cache = join(ws, 'cache.db');
const trust = join(repo, 'resources/demo/demo.pub');
const webOnly = process.argv.includes('--web') || process.env.CUSTOS_WEB === '1';
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
console.log('Syncing the demo store into the encrypted cache (the first time takes a minute)...');
await run('sync', '--cache', cache, '--key-file', keyFile, '--from', store, '--trust', trust);
await run('verify', '--cache', cache, '--key-file', keyFile);

// The console, built once (and again when its sources are newer than the build).
const built = join(repo, 'dist/renderer/index.html');
const newest = (dir) =>
  spawnSync('find', [dir, '-newer', built, '-type', 'f', '-print', '-quit'], { encoding: 'utf8' })
    .stdout;
if (!existsSync(built) || newest(join(repo, 'renderer')) || newest(join(repo, 'preload'))) {
  console.log('Building the console...');
  await buildConsole({ quiet: true });
}

/** Electron's runtime: present, or downloaded now where the network allows. */
function electronBinary() {
  const pkg = join(repo, 'node_modules/electron');
  if (!existsSync(pkg)) return null;
  const path = join(pkg, 'path.txt');
  if (!existsSync(path)) {
    console.log("Installing Electron's runtime (first start only)...");
    const r = spawnSync(process.execPath, [join(pkg, 'install.js')], {
      stdio: 'ignore',
      timeout: 180_000,
    });
    if (r.status !== 0 || !existsSync(path)) return null;
  }
  const bin = join(pkg, 'dist', spawnSync('cat', [path], { encoding: 'utf8' }).stdout.trim());
  return existsSync(bin) && statSync(bin).isFile() ? bin : null;
}

const hasDisplay =
  process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;
const electron = !webOnly && hasDisplay ? electronBinary() : null;
if (electron) {
  console.log('Opening the console...');
  const child = spawn(electron, [join(repo, 'main/app/entry.mjs')], {
    stdio: 'inherit',
    env: { ...process.env, CUSTOS_HOME: home },
  });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    webOnly
      ? 'Starting web mode.'
      : hasDisplay
        ? "Electron's runtime cannot be installed here (no download): starting web mode instead."
        : 'No display here: starting web mode instead of the desktop window.',
  );
  await run('serve', '--cache', cache, '--key-file', keyFile);
}
