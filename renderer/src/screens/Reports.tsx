/**
 * Reports: PDFs made from the verified cache (a period's compliance report, a case's investigation
 * report, a log-verification certificate), optionally signed with the officer's certificate; their
 * pages previewed here, and every report made kept in a history with its SHA-256.
 */
import { useEffect, useRef, useState } from 'react';
import { Box, Card, LinearProgress, Stack, Typography } from '@mui/material';
import type { Output } from '../../../shared/ipc/contract';
import { call, onEvent } from '../api';
import { useAsync } from '../useAsync';
import { useRun } from '../useRun';
import { ReportForm, type ReportRequest } from '../components/ReportForm';
import { ReportHistory } from '../components/ReportHistory';
import { ReportPreview } from '../components/ReportPreview';
import { ReportResult } from '../components/ReportResult';
import type { ReportRecord } from '../components/ReportBits';
import { Empty, ErrorNote } from '../components/Status';

export function Reports() {
  const cases = useAsync(() => call('cases.list', {}), []);
  const overview = useAsync(() => call('app.overview', {}), []);
  const { running, result, error, run } = useRun<Output<'reports.make'>>();
  const history = useAsync(() => call('reports.history', {}), [result]);
  const [steps, setSteps] = useState<string[]>([]);
  const [preview, setPreview] = useState<{ id: number; title: string } | null>(null);
  const previewBox = useRef<HTMLDivElement>(null);

  useEffect(
    () =>
      onEvent('report.progress', ({ step }) =>
        setSteps((s) => (s[s.length - 1] === step ? s : [...s, step])),
      ),
    [],
  );

  const activity = overview.data?.activity.filter((d) => d.count > 0);
  const newest = activity?.length ? activity[activity.length - 1].start : null;

  const make = (request: ReportRequest) => {
    setSteps([]);
    run(
      () => call('reports.make', request),
      (made) => setPreview({ id: made.record.id, title: reportLabel(made.record) }),
    );
  };

  return (
    <Stack spacing={2}>
      <Typography variant="h5" component="h2">
        Reports
      </Typography>
      <Typography variant="body2" color="text.secondary">
        A report is a PDF made from the verified cache: every figure cites the log entries behind
        it, whose inclusion proofs and signed checkpoints travel inside the PDF. Signed with your
        certificate, anyone can check it with <code>custos verify-report</code>.
      </Typography>
      <Box
        sx={{
          display: 'grid',
          gridTemplateColumns: { xs: '1fr', lg: 'minmax(360px, 440px) minmax(0, 1fr)' },
          gap: 2,
          alignItems: 'start',
        }}
      >
        <ReportForm cases={cases.data} newest={newest} running={running} onMake={make} />
        <Stack spacing={2} sx={{ minWidth: 0 }}>
          {running && <Progress steps={steps} />}
          {error && <ErrorNote error={error} title="No report was made" />}
          {result && !running && <ReportResult made={result} />}
          <Box ref={previewBox} sx={{ scrollMarginTop: 64 }}>
            {preview ? (
              <ReportPreview key={preview.id} id={preview.id} title={preview.title} />
            ) : (
              !running && (
                <Card variant="outlined">
                  <Empty>
                    The pages of a report show here once it is made, or when you choose Preview in
                    the history below.
                  </Empty>
                </Card>
              )
            )}
          </Box>
        </Stack>
      </Box>
      <ReportHistory
        history={history}
        previewing={preview?.id ?? null}
        onPreview={(r) => {
          setPreview({ id: r.id, title: reportLabel(r) });
          previewBox.current?.scrollIntoView({ block: 'start' });
        }}
      />
    </Stack>
  );
}

/** A report as the preview names it: its title and what it covers. */
const reportLabel = (r: ReportRecord) =>
  `${r.title}${r.period ? `, ${r.period}` : r.caseId !== null ? `, case #${r.caseId}` : ''}`;

/** An error as the officer needs it: the title already says which operation failed. */

/** The steps of the report being made, as main reports them; the newest is under way. */
function Progress({ steps }: { steps: string[] }) {
  const now = steps[steps.length - 1];
  return (
    <Card variant="outlined" sx={{ p: 2 }} data-testid="report-progress">
      <Typography variant="subtitle2" component="p" role="status" aria-live="polite">
        {now ? `${now[0].toUpperCase()}${now.slice(1)}…` : 'Starting…'}
      </Typography>
      <LinearProgress sx={{ my: 1 }} aria-label="making the report" />
      <Box component="ol" sx={{ m: 0, pl: 2.5 }}>
        {steps.slice(0, -1).map((s, i) => (
          <Typography component="li" variant="body2" color="text.secondary" key={`${i}-${s}`}>
            {s[0].toUpperCase()}
            {s.slice(1)} ✓
          </Typography>
        ))}
      </Box>
    </Card>
  );
}
