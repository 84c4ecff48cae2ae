/**
 * Electronegativity (Doyensec's Electron security linter) over the desktop shell and the preload.
 * Every finding it may report is either absent or explained here; anything new fails the test.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths';
import { tempDir } from '../helpers/cli';

/** Findings that are known and why they are not problems. */
const EXPLAINED: Record<string, string> = {
  CSP_GLOBAL_CHECK:
    'The CSP is not a <meta> tag: the app:// protocol handler (serveApp in main/app/main.ts) and web mode send it as a header with every page (CONTENT_SECURITY_POLICY, no unsafe-eval, scripts from self only).',
  PRELOAD_JS_CHECK:
    'The preload (preload/preload.ts) is reviewed: it exposes one function per channel of the IPC contract and an event subscription, never ipcRenderer; main checks the sender frame and validates every input.',
};

describe('electronegativity', () => {
  it('reports nothing on the shell and the preload that is not explained', () => {
    // Both parts in one tree, so that the global checks see the whole shell.
    const dir = tempDir('custos-eneg-');
    const out = join(dir, 'report.csv');
    cpSync(join(REPO, 'main/app'), join(dir, 'shell/app'), { recursive: true });
    cpSync(join(REPO, 'preload'), join(dir, 'shell/preload'), { recursive: true });
    {
      const input = 'shell';
      const r = spawnSync(
        process.execPath,
        [
          join(REPO, 'node_modules/@doyensec/electronegativity/dist/index.js'),
          '-i',
          join(dir, input),
          '-e',
          '41.7.1',
          '-r',
          '-v',
          'false',
          '-o',
          out,
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const findings = [...readFileSync(out, 'utf8').matchAll(/^([A-Z_]+_CHECK),/gm)].map(
        (m) => m[1],
      );
      const unexplained = findings.filter((f) => !(f in EXPLAINED));
      expect(unexplained, `${input}: ${unexplained.join(', ')}`).toEqual([]);
    }
  });
});
