import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The console is built into dist/renderer and served from there by the desktop shell (app://)
// and by web mode; relative paths, no inline scripts (the CSP allows 'self' scripts only).
export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('ag-grid')) return 'grid';
          // pdf.js is only needed when a report is previewed: loaded then, not at start.
          if (id.includes('pdfjs-dist')) return 'pdf';
          if (id.includes('@mui') || id.includes('@emotion')) return 'mui';
          if (id.includes('node_modules')) return 'vendor';
          return undefined;
        },
      },
    },
  },
});
