#!/usr/bin/env node
// `npm run build`: the console (Vite, into dist/renderer) and the desktop shell's preload script
// (esbuild, one sandbox-friendly CommonJS file in dist/electron). The shell's main process runs
// from source through tsx, like the CLI.
import { build as esbuild } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));

export async function buildConsole({ quiet = false } = {}) {
  const vite = spawnSync(
    process.execPath,
    [
      resolve(repo, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      resolve(repo, 'renderer.vite.config.ts'),
      ...(quiet ? ['--logLevel', 'warn'] : []),
    ],
    { cwd: repo, stdio: 'inherit' },
  );
  if (vite.status !== 0) throw new Error('building the console failed');
  await esbuild({
    entryPoints: [resolve(repo, 'preload/preload.ts')],
    outfile: resolve(repo, 'dist/electron/preload.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron'],
    logLevel: quiet ? 'warning' : 'info',
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildConsole();
}
