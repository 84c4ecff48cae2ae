/// <reference types="vite/client" />
/**
 * A report's pages drawn inside the console with pdf.js, one page at a time, on a canvas only:
 * no text layer and no annotation layer, so nothing the PDF holds becomes live HTML (no links, no
 * forms, no scripts). pdf.js runs without eval (the CSP has no 'unsafe-eval') and its parser runs
 * in a worker that vite bundles as a script of this origin (the CSP's script-src 'self' allows it).
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Box, Button, Paper, Stack, Typography } from '@mui/material';
import type * as PdfjsModule from 'pdfjs-dist';
import type { PDFDocumentProxy, RenderTask } from 'pdfjs-dist';
import { fromBase64 } from '../../../shared/bytes';
import { call } from '../api';
import { ErrorNote, Loading } from './Status';

type Pdfjs = typeof PdfjsModule;
let pdfjsLoading: Promise<Pdfjs> | null = null;

/** pdf.js and its worker, loaded the first time a report is previewed; one worker for all. */
function loadPdfjs(): Promise<Pdfjs> {
  pdfjsLoading ??= Promise.all([
    import('pdfjs-dist'),
    import('pdfjs-dist/build/pdf.worker.min.mjs?worker'),
  ]).then(([pdfjs, worker]) => {
    pdfjs.GlobalWorkerOptions.workerPort = new worker.default();
    return pdfjs;
  });
  return pdfjsLoading;
}

/** Widest a page is drawn, in CSS pixels. */
const MAX_WIDTH = 900;
/** What stays visible around a whole page (the console's bar, the preview's own bar, margins). */
const AROUND_PAGE = 190;

export function ReportPreview({ id, title }: { id: number; title: string }) {
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [pageNo, setPageNo] = useState(1);
  const [drawn, setDrawn] = useState(0);
  const [width, setWidth] = useState(0);
  const [fit, setFit] = useState<'page' | 'width'>('page');
  const frame = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    let gone = false;
    let destroy: (() => Promise<void>) | null = null;
    setDoc(null);
    setError(null);
    setPageNo(1);
    setDrawn(0);
    (async () => {
      const [{ base64 }, pdfjs] = await Promise.all([call('reports.pdf', { id }), loadPdfjs()]);
      if (gone) return;
      const task = pdfjs.getDocument({
        data: fromBase64(base64),
        // No code made from the PDF's fonts or functions: the CSP forbids eval, and so do we.
        isEvalSupported: false,
        enableXfa: false,
        stopAtErrors: false,
      });
      destroy = () => task.destroy();
      const d = await task.promise;
      if (!gone) setDoc(d);
    })().catch((e: Error) => !gone && setError(e));
    return () => {
      gone = true;
      void destroy?.();
    };
  }, [id]);

  // The page is drawn to the frame's width, so it follows the window.
  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) =>
      setWidth(Math.min(MAX_WIDTH, Math.floor(entry.contentRect.width))),
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, [doc]);

  useEffect(() => {
    if (!doc || !canvas.current || width <= 0) return;
    let task: RenderTask | null = null;
    let gone = false;
    void (async () => {
      const page = await doc.getPage(pageNo);
      if (gone) return;
      const natural = page.getViewport({ scale: 1 });
      const tall = Math.max(320, window.innerHeight - AROUND_PAGE);
      const scale =
        fit === 'page'
          ? Math.min(width / natural.width, tall / natural.height)
          : width / natural.width;
      const ratio = window.devicePixelRatio || 1;
      const viewport = page.getViewport({ scale: scale * ratio });
      const c = canvas.current!;
      c.width = Math.floor(viewport.width);
      c.height = Math.floor(viewport.height);
      c.style.width = `${Math.floor(viewport.width / ratio)}px`;
      c.style.height = `${Math.floor(viewport.height / ratio)}px`;
      // Annotations' own appearances (the visible signature) are painted into the canvas; no
      // annotation layer is ever made, so a link in the PDF cannot be followed from here.
      task = page.render({ canvas: c, viewport, annotationMode: 1 /* AnnotationMode.ENABLE */ });
      await task.promise;
      if (!gone) setDrawn(pageNo);
    })().catch((e: Error) => {
      if (!gone && e.name !== 'RenderingCancelledException') setError(e);
    });
    return () => {
      gone = true;
      task?.cancel();
    };
  }, [doc, pageNo, width, fit]);

  const pages = doc?.numPages ?? 0;
  const turn = (to: number) => setPageNo(Math.max(1, Math.min(pages, to)));
  const onKey = (e: KeyboardEvent) => {
    const to = {
      ArrowLeft: pageNo - 1,
      ArrowUp: pageNo - 1,
      PageUp: pageNo - 1,
      ArrowRight: pageNo + 1,
      ArrowDown: pageNo + 1,
      PageDown: pageNo + 1,
      Home: 1,
      End: pages,
    }[e.key];
    if (to === undefined || !doc) return;
    e.preventDefault();
    turn(to);
  };

  return (
    <Box component="section" aria-label={`preview of ${title}`} data-testid="report-preview">
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1 }}>
        <Typography variant="subtitle1" component="h3" sx={{ flex: 1, minWidth: 0 }} noWrap>
          Preview: {title}
        </Typography>
        <Button
          size="small"
          disabled={!doc}
          onClick={() => setFit(fit === 'page' ? 'width' : 'page')}
          sx={{ mr: 2 }}
        >
          {fit === 'page' ? 'Fit width' : 'Fit page'}
        </Button>
        <Button size="small" disabled={!doc || pageNo <= 1} onClick={() => turn(pageNo - 1)}>
          ‹ Previous
        </Button>
        <Typography
          variant="body2"
          role="status"
          aria-live="polite"
          data-testid="preview-page"
          sx={{ whiteSpace: 'nowrap', minWidth: 88, textAlign: 'center' }}
        >
          {doc ? `Page ${pageNo} of ${pages}` : ' '}
        </Typography>
        <Button size="small" disabled={!doc || pageNo >= pages} onClick={() => turn(pageNo + 1)}>
          Next ›
        </Button>
      </Stack>
      {error && <ErrorNote error={error} title="The report cannot be shown" />}
      {!doc && !error && <Loading label="Reading the report…" />}
      {doc && (
        <Box
          ref={frame}
          sx={{
            bgcolor: 'action.hover',
            borderRadius: 1,
            p: 2,
            display: 'flex',
            justifyContent: 'center',
          }}
        >
          <Paper elevation={3} square sx={{ lineHeight: 0, bgcolor: '#fff' }}>
            <canvas
              ref={canvas}
              role="img"
              tabIndex={0}
              aria-label={`Page ${pageNo} of ${pages} of ${title}; the arrow keys turn the page`}
              data-page={drawn}
              onKeyDown={onKey}
              style={{ display: 'block', outlineOffset: 2 }}
            />
          </Paper>
        </Box>
      )}
    </Box>
  );
}
