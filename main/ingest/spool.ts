/**
 * A temporary, length-prefixed file of validated entries, so that `custos seal` can check every
 * input record before writing anything to the store without parsing the inputs twice.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class EntrySpool {
  private out: WriteStream;
  private count = 0;

  private constructor(
    private readonly dir: string,
    private readonly path: string,
  ) {
    this.out = createWriteStream(path, { mode: 0o600 });
    // A write error (disk full) is kept and reported by the next add() or by entries().
    this.out.on('error', (e) => (this.error ??= e));
  }

  private error: Error | null = null;

  private async closeOutput() {
    if (this.out.closed) return;
    const closed = once(this.out, 'close').catch(() => undefined);
    this.out.end();
    await closed;
  }

  static async create(): Promise<EntrySpool> {
    const dir = await mkdtemp(join(tmpdir(), 'custos-seal-'));
    return new EntrySpool(dir, join(dir, 'entries.spool'));
  }

  get size() {
    return this.count;
  }

  async add(entry: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(entry.length);
    this.out.write(len);
    if (!this.out.write(entry)) await once(this.out, 'drain');
    this.count++;
  }

  /** Closes the spool for writing and reads the entries back in order. */
  async *entries(): AsyncGenerator<Uint8Array> {
    await this.closeOutput();
    if (this.error) throw this.error;
    let pending: Buffer = Buffer.alloc(0);
    for await (const chunk of createReadStream(this.path, { highWaterMark: 1 << 20 })) {
      pending = pending.length ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      let o = 0;
      while (o + 4 <= pending.length) {
        const len = pending.readUInt32BE(o);
        if (o + 4 + len > pending.length) break;
        yield new Uint8Array(pending.buffer, pending.byteOffset + o + 4, len);
        o += 4 + len;
      }
      pending = pending.subarray(o);
    }
    if (pending.length) throw new Error('spool file is truncated');
  }

  async dispose(): Promise<void> {
    // End (not destroy) the stream, so no write still queued fails after the file is gone.
    await this.closeOutput();
    await rm(this.dir, { recursive: true, force: true });
  }
}
