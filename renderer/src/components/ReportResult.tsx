/**
 * A report just made: what it is, where it was saved, its size and SHA-256, who signed it, and (in
 * web mode) the one-time download the server offers for it.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Alert, Box, Button, Stack, Typography } from '@mui/material';
import type { Output } from '../../../shared/ipc/contract';
import { fmtInt } from '../format';
import { fmtBytes } from './caseBits';
import { fileName } from './ReportBits';

/** How long the server keeps a download offered (main/web/server.ts). */
const DOWNLOAD_MS = 60_000;

export function ReportResult({ made }: { made: Output<'reports.make'> }) {
  const r = made.record;
  const [download, setDownload] = useState<'ready' | 'taken' | 'expired'>('ready');
  useEffect(() => {
    setDownload('ready');
    const t = setTimeout(() => setDownload((d) => (d === 'ready' ? 'expired' : d)), DOWNLOAD_MS);
    return () => clearTimeout(t);
  }, [made]);
  const name = fileName(r.path);
  const rows: Array<[string, ReactNode]> = [
    ['Title', r.title],
    ['File', <Mono key="path">{r.path}</Mono>],
    ['Size', `${fmtBytes(r.size)} (${fmtInt(r.size)} bytes)`],
    [
      'SHA-256',
      <Mono key="sha" testId="report-sha256">
        {r.sha256}
      </Mono>,
    ],
    ['Signed by', r.signer ?? 'Not signed'],
    ['Cited events', `${fmtInt(r.cited)}, each with its inclusion proof inside the PDF`],
  ];
  return (
    <Alert
      severity="success"
      data-testid="report-result"
      sx={{ '& .MuiAlert-message': { flex: 1, minWidth: 0 } }}
    >
      <Typography variant="body2" sx={{ fontWeight: 600, mb: 1 }}>
        Report made{r.signer ? ` and signed by ${r.signer}` : ''}.
      </Typography>
      <Box
        component="dl"
        sx={{
          display: 'grid',
          gridTemplateColumns: 'max-content 1fr',
          columnGap: 2,
          rowGap: 0.5,
          m: 0,
        }}
      >
        {rows.map(([k, v]) => (
          <Box key={k} sx={{ display: 'contents' }}>
            <Box component="dt" sx={{ color: 'text.secondary' }}>
              {k}
            </Box>
            <Box component="dd" sx={{ m: 0, minWidth: 0 }}>
              {v}
            </Box>
          </Box>
        ))}
      </Box>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mt: 1.5 }}>
        {made.download ? (
          download === 'ready' ? (
            <Button
              variant="contained"
              size="small"
              color="success"
              component="a"
              href={made.download}
              download={name}
              onClick={() => setDownload('taken')}
            >
              Download the PDF
            </Button>
          ) : (
            <Typography variant="body2">
              {download === 'taken'
                ? 'Downloaded. '
                : 'The download link has expired (it works once, within a minute). '}
              The report stays saved in the workspace at the path above.
            </Typography>
          )
        ) : (
          <Typography variant="body2">Saved to the file above.</Typography>
        )}
      </Stack>
    </Alert>
  );
}

function Mono({ children, testId }: { children: string; testId?: string }) {
  return (
    <Box component="code" data-testid={testId} sx={{ fontSize: 12, wordBreak: 'break-all' }}>
      {children}
    </Box>
  );
}
