/** Verification: re-verify the cache at rest, and the alarms with their evidence. */
import { useEffect, useState } from 'react';
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  LinearProgress,
  Stack,
  Typography,
} from '@mui/material';
import type { Output } from '../../../shared/ipc/contract';
import { call, onEvent } from '../api';
import { fmtInt, fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { useRun } from '../useRun';
import { RunHeader } from '../components/RunHeader';
import { Empty, ErrorNote, Loading } from '../components/Status';
import { SegmentMap } from '../components/SegmentMap';

/** What an alarm means, in plain words. */
const DIAGNOSIS: Record<string, string> = {
  rollback:
    'The source offered a smaller log than one already accepted: someone may be hiding recent entries.',
  fork: 'The source offered a checkpoint that is not consistent with the one already accepted: the history was rewritten, or two sources of one log disagree.',
  'bad-signature':
    'A checkpoint carries a signature that does not verify: it was not signed by the log key.',
  'unknown-key': 'A checkpoint is signed by a key the trust policy does not know.',
  quorum: 'Not enough trusted witnesses cosigned the checkpoint.',
  malformed: 'The source served a checkpoint that is not a valid signed note.',
  'untrusted-origin': 'The source serves a log the trust policy does not name.',
  'tile-mismatch': 'A hash tile served does not match the signed tree: the store was altered.',
  'entry-mismatch': 'Entries served do not hash into the signed tree: they were altered.',
};

export function Verification({ explore }: { explore: (q: string) => void }) {
  const alarms = useAsync(() => call('alarms.list', {}), []);
  const overview = useAsync(() => call('app.overview', {}), []);
  const checkpoints = useAsync(() => call('verify.checkpoints', {}), []);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const { running, result: report, error, run } = useRun<Output<'verify.run'>>();
  useEffect(
    () => onEvent('verify.progress', (p) => setProgress({ done: p.done, total: p.total })),
    [],
  );
  const verify = () => {
    setProgress(null);
    run(() => call('verify.run', {}));
  };
  return (
    <Stack spacing={2}>
      <RunHeader
        title="Verification"
        running={running}
        startLabel="Re-verify the cache"
        runningLabel="Verifying…"
        onStart={verify}
        onCancel={() => void call('verify.cancel', {})}
      />
      {running && (
        <Box>
          <LinearProgress
            variant={progress ? 'determinate' : 'indeterminate'}
            value={progress ? (100 * progress.done) / Math.max(1, progress.total) : undefined}
            aria-label="verification progress"
          />
          {progress && (
            <Typography variant="caption">
              {fmtInt(progress.done)} of {fmtInt(progress.total)} entries
            </Typography>
          )}
        </Box>
      )}
      {error && <ErrorNote error={error} title="Verification failed to run" />}
      {report && (
        <Alert severity={report.ok ? 'success' : 'error'} data-testid="verify-result">
          {report.ok
            ? `Every entry, tile and checkpoint verified: ${report.logs
                .map(
                  (l) =>
                    `${l.origin} (${fmtInt(l.entries)} entries, ${l.checkpoints} checkpoint${l.checkpoints === 1 ? '' : 's'})`,
                )
                .join('; ')}.`
            : `${report.problems.length} problem(s): ${report.problems
                .slice(0, 5)
                .map((p) => `${p.origin}: ${p.message}`)
                .join('; ')}`}
        </Alert>
      )}
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" component="h3" gutterBottom>
            Segments
          </Typography>
          {overview.data?.logs.map((l) => (
            <SegmentMap
              key={l.origin}
              origin={l.origin}
              entries={l.entries}
              verifiedSize={l.verifiedSize}
              problemEntries={(report?.problems ?? [])
                .filter((p) => p.origin === l.origin && p.entry !== null)
                .map((p) => p.entry!)}
            />
          ))}
        </CardContent>
      </Card>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" component="h3" gutterBottom>
            Checkpoints accepted
          </Typography>
          {checkpoints.data?.length === 0 && <Empty>None yet.</Empty>}
          <Box component="table" sx={{ width: '100%', borderCollapse: 'collapse', fontSize: 13 }}>
            <thead>
              <tr>
                {['accepted (UTC)', 'log', 'size', 'root hash', 'witnesses'].map((h) => (
                  <Box
                    component="th"
                    key={h}
                    sx={{ textAlign: 'left', color: 'text.secondary', fontWeight: 500, pb: 0.5 }}
                  >
                    {h}
                  </Box>
                ))}
              </tr>
            </thead>
            <tbody>
              {checkpoints.data?.slice(0, 20).map((c) => (
                <tr key={`${c.origin}-${c.size}-${c.rootHash}`}>
                  <td>{fmtTime(c.acceptedAt, false)}</td>
                  <td>{c.origin}</td>
                  <td>{fmtInt(c.size)}</td>
                  <Box component="td" sx={{ fontFamily: 'monospace', fontSize: 12 }}>
                    {c.rootHash}
                  </Box>
                  <td>{c.witnesses}</td>
                </tr>
              ))}
            </tbody>
          </Box>
        </CardContent>
      </Card>
      <Typography variant="h6" component="h3">
        Alarms
      </Typography>
      {alarms.loading && !alarms.data && <Loading label="Reading alarms…" />}
      {alarms.error && <ErrorNote error={alarms.error} />}
      {alarms.data?.length === 0 && (
        <Empty>No alarms: every sync behaved as a tamper-evident log must.</Empty>
      )}
      {alarms.data?.map((a) => (
        <Accordion key={a.id} variant="outlined" data-testid="alarm">
          <AccordionSummary>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'center', width: '100%' }}>
              <Chip size="small" color={a.acknowledgedAt ? 'default' : 'error'} label={a.kind} />
              <Typography variant="body2" sx={{ flex: 1 }}>
                {a.message}
              </Typography>
              <Typography variant="caption" color="text.secondary">
                {fmtTime(a.createdAt, false)}
              </Typography>
            </Stack>
          </AccordionSummary>
          <AccordionDetails>
            <Typography variant="body2" sx={{ mb: 1 }}>
              {DIAGNOSIS[a.kind] ??
                'The source or the log did not behave as a tamper-evident log must.'}{' '}
              Source: {a.source ?? 'unknown'}; log: {a.origin ?? 'unknown'}.
            </Typography>
            <Box
              component="pre"
              sx={{ fontSize: 12, bgcolor: 'action.hover', p: 1, overflow: 'auto' }}
            >
              {a.evidence}
            </Box>
            <Stack direction="row" spacing={1}>
              <Button
                size="small"
                disabled={!!a.acknowledgedAt}
                onClick={() => void call('alarms.acknowledge', { id: a.id }).then(alarms.reload)}
              >
                {a.acknowledgedAt ? 'Acknowledged' : 'Acknowledge'}
              </Button>
              {a.origin && (
                <Button size="small" onClick={() => explore(`log:${JSON.stringify(a.origin)}`)}>
                  Explore this log
                </Button>
              )}
            </Stack>
          </AccordionDetails>
        </Accordion>
      ))}
    </Stack>
  );
}
