/**
 * Renders one report in a worker thread (see renderPdfInWorker): pdfmake's layout is synchronous
 * and takes seconds for a long report, which must not stall the console's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { renderPdf, type DocDefinition } from './render';

const { def } = workerData as { def: DocDefinition };
try {
  const pdf = await renderPdf(def);
  // The bytes move to the parent rather than being copied.
  parentPort!.postMessage({ pdf }, [pdf.buffer as ArrayBuffer]);
} catch (e) {
  parentPort!.postMessage({ error: (e as Error).message });
}
