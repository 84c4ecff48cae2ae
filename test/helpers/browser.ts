/** The console as users get it (built by vite) and the Chromium the end-to-end tests drive. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO } from './paths';

export const RENDERER = join(REPO, 'dist', 'renderer');
export const SHOTS = join(REPO, 'test-artifacts', 'screenshots');

/** Builds the console into dist/renderer, exactly as `npm run build` does for users. */
export function buildConsole() {
  execFileSync(
    process.execPath,
    [
      join(REPO, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      join(REPO, 'renderer.vite.config.ts'),
      '--logLevel',
      'warn',
    ],
    // vitest sets NODE_ENV=test, which would give React's development build.
    { cwd: REPO, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
  );
  if (!existsSync(join(RENDERER, 'index.html'))) throw new Error('the console did not build');
}

/** Debian's Chromium, headless, with nothing reaching out to the network on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
