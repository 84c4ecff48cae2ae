/**
 * A small pool of segment workers. Requests are answered in any order and matched by id; a pool of
 * size 0 prepares segments on the calling thread (for environments without worker threads).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { prepareSegment, type PrepareRequest, type PreparedSegment } from './prepareSegment';

export class SegmentPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<
    number,
    { resolve: (p: PreparedSegment) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private failed: Error | null = null;

  /** By default one worker per core beyond the main thread, at least one. */
  constructor(size = Math.max(1, availableParallelism() - 1)) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./segmentWorker.mjs', import.meta.url));
      w.on('message', (msg: { id: number; out?: PreparedSegment; error?: string }) => {
        const pending = this.waiting.get(msg.id);
        if (!pending) return;
        this.waiting.delete(msg.id);
        if (msg.out) pending.resolve(msg.out);
        else pending.reject(new Error(msg.error ?? 'segment worker failed'));
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`segment worker exited with code ${code}`));
      });
      this.workers.push(w);
    }
  }

  private fail(e: Error) {
    this.failed ??= e;
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }

  prepare(req: PrepareRequest): Promise<PreparedSegment> {
    if (this.workers.length === 0) return Promise.resolve(prepareSegment(req));
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length];
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // The bundle is copied, not transferred: the caller may still need it to report a problem.
      worker.postMessage({ id, req });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
