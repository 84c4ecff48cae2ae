/** Worker thread: prepares segments (see prepareSegment.ts) on request from the sync engine. */
import { parentPort } from 'node:worker_threads';
import { prepareSegment, type PrepareRequest } from './prepareSegment';

parentPort!.on('message', (msg: { id: number; req: PrepareRequest }) => {
  try {
    const out = prepareSegment(msg.req);
    parentPort!.postMessage({ id: msg.id, out }, [
      out.data.buffer as ArrayBuffer,
      out.leaves.buffer as ArrayBuffer,
      out.spans.buffer as ArrayBuffer,
    ]);
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message });
  }
});
