/** Runs verifyCache in a worker thread (verifyWorker.ts) and reports its progress here. */
import { Worker } from 'node:worker_threads';
import type { CacheVerifyReport } from './verifyCache';

export class VerifyCancelled extends Error {
  override name = 'VerifyCancelled';
}

export function verifyCacheInWorker(
  path: string,
  key: Uint8Array,
  policy: string | null,
  onProgress?: (origin: string, done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<CacheVerifyReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./verifyWorker.mjs', import.meta.url), {
      workerData: { path, key, policy },
    });
    let settled = false;
    signal?.addEventListener('abort', () => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(new VerifyCancelled('verification cancelled'));
    });
    worker.on(
      'message',
      (m: {
        progress?: { origin: string; done: number; total: number };
        report?: CacheVerifyReport;
        error?: string;
      }) => {
        if (m.progress) onProgress?.(m.progress.origin, m.progress.done, m.progress.total);
        else if (m.report) {
          settled = true;
          resolve(m.report);
        } else if (m.error !== undefined) {
          settled = true;
          reject(new Error(m.error));
        }
      },
    );
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the verification worker stopped (exit code ${code})`));
    });
  });
}
