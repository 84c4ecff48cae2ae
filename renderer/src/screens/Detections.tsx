/**
 * Detections: rules that surface leads in the cache (bulk exports at night, failed logins then a
 * success from a new country…), their findings by severity, each with its events; a finding
 * becomes a case, or joins one, in a click.
 */
import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import type { FindingDto } from '../../../shared/ipc/investigationsContract';
import type { Output } from '../../../shared/ipc/contract';
import { call } from '../api';
import { fmtInt, fmtTime } from '../format';
import { useRun } from '../useRun';
import { AddToCaseDialog } from '../components/AddToCaseDialog';
import { Empty, ErrorNote, Loading } from '../components/Status';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const rank = (s: string) => {
  const i = SEVERITIES.indexOf(s.toLowerCase());
  return i < 0 ? SEVERITIES.length : i;
};
const SEVERITY_COLOR: Record<string, 'error' | 'warning' | 'primary' | 'default'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'primary',
};

/** The last run, kept while the console is open, so a visit to a case and back keeps it. */
let lastRun: { at: number; result: Output<'detect.run'> } | null = null;

export function Detections({ onOpenCase }: { onOpenCase: (id: number) => void }) {
  const { running, result, error, run } = useRun<Output<'detect.run'>>();
  const shown = result ?? lastRun?.result ?? null;
  const start = () =>
    run(
      () => call('detect.run', {}),
      (r) => {
        lastRun = { at: Date.now(), result: r };
      },
    );
  const findings = [...(shown?.findings ?? [])].sort(
    (a, b) => rank(a.severity) - rank(b.severity) || (a.from ?? 0) - (b.from ?? 0),
  );
  const groups = [...new Set(findings.map((f) => f.severity))];

  return (
    <Stack spacing={2}>
      <Stack direction="row" sx={{ alignItems: 'center' }}>
        <Typography variant="h5" component="h2" sx={{ flex: 1 }}>
          Detections
        </Typography>
        <Button variant="contained" onClick={start} disabled={running}>
          {running ? 'Running…' : 'Run detections'}
        </Button>
      </Stack>
      <Typography variant="body2" color="text.secondary">
        Rules look through every entry in the cache for patterns worth a closer look. A finding is a
        lead, not a verdict: open its events, and make it a case if it holds.
      </Typography>
      {running && <Loading label="Running the rules over the cache…" />}
      {error && <ErrorNote error={error} title="The detections did not run" />}
      {shown && !running && (
        <Alert
          severity={shown.findings.length ? 'warning' : 'success'}
          data-testid="detect-summary"
        >
          {fmtInt(shown.rules)} {shown.rules === 1 ? 'rule' : 'rules'} run in{' '}
          {shown.ms < 1000 ? `${fmtInt(shown.ms)} ms` : `${(shown.ms / 1000).toFixed(1)} s`}:{' '}
          {shown.findings.length === 0
            ? 'no findings.'
            : `${fmtInt(shown.findings.length)} ${shown.findings.length === 1 ? 'finding' : 'findings'}.`}
          {!result && lastRun && ` (Run at ${fmtTime(lastRun.at, false)} UTC.)`}
        </Alert>
      )}
      {!shown && !running && !error && (
        <Card variant="outlined">
          <Empty>No run yet in this session: Run detections to look for leads.</Empty>
        </Card>
      )}
      {groups.map((sev) => (
        <Box key={sev} component="section" aria-label={`${sev} findings`}>
          <Typography variant="overline" component="h3" color="text.secondary">
            {sev} · {findings.filter((f) => f.severity === sev).length}
          </Typography>
          <Stack spacing={1.5} component="ul" sx={{ listStyle: 'none', m: 0, p: 0 }}>
            {findings
              .filter((f) => f.severity === sev)
              .map((f) => (
                <li key={`${f.ruleId}-${f.key ?? ''}-${f.from ?? ''}`}>
                  <FindingCard finding={f} onOpenCase={onOpenCase} />
                </li>
              ))}
          </Stack>
        </Box>
      ))}
    </Stack>
  );
}

function FindingCard({
  finding: f,
  onOpenCase,
}: {
  finding: FindingDto;
  onOpenCase: (id: number) => void;
}) {
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<{ id: number; title: string } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const reason = `detection:${f.ruleId}`;
  const title = f.key ? `${f.title}: ${f.key}` : f.title;
  const entryIds = f.events.map((e) => e.id);
  const create = () => {
    setBusy(true);
    setError(null);
    call('cases.create', {
      title: title.slice(0, 200),
      description: `Opened from a finding of the detection rule \`${f.ruleId}\`.\n\n${f.summary}`,
      periodFrom: f.from,
      periodTo: f.to,
      entryIds,
      reason,
    }).then(
      (c) => {
        setBusy(false);
        setCreated({ id: c.id, title: c.title });
      },
      (e: Error) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  return (
    <Card variant="outlined" data-finding={f.ruleId}>
      <CardContent>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 0.5 }}>
          <Chip
            size="small"
            color={SEVERITY_COLOR[f.severity.toLowerCase()] ?? 'default'}
            label={f.severity}
          />
          <Typography variant="subtitle1" component="h4" sx={{ fontWeight: 600, flex: 1 }}>
            {f.title}
            {f.key && (
              <Typography component="span" color="text.secondary" sx={{ ml: 1 }}>
                {f.key}
              </Typography>
            )}
          </Typography>
          <Button size="small" onClick={() => setAdding(true)}>
            Add to case…
          </Button>
          <Button size="small" variant="outlined" disabled={busy || !!created} onClick={create}>
            Create case
          </Button>
        </Stack>
        <Typography variant="body2" sx={{ mb: 0.5 }}>
          {f.summary}
        </Typography>
        <Typography variant="caption" color="text.secondary" component="p" sx={{ mb: 1 }}>
          {fmtTime(f.from, false)} to {fmtTime(f.to, false)} UTC · {f.events.length}{' '}
          {f.events.length === 1 ? 'event' : 'events'} · rule {f.ruleId}
        </Typography>
        {created && (
          <Alert
            severity="success"
            sx={{ mb: 1 }}
            action={
              <Button color="inherit" size="small" onClick={() => onOpenCase(created.id)}>
                Open the case
              </Button>
            }
            data-testid="finding-case"
          >
            Case “{created.title}” created with these {f.events.length} events.
          </Alert>
        )}
        {error && <ErrorNote error={error} title="No case created" />}
        <Table size="small" aria-label={`events of ${f.title}`}>
          <TableHead>
            <TableRow>
              <TableCell>Time (UTC)</TableCell>
              <TableCell>Action</TableCell>
              <TableCell>Actor</TableCell>
              <TableCell>Log # index</TableCell>
              <TableCell>Listed as</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {f.events.map((e) => (
              <TableRow
                key={e.id}
                data-role={e.role ?? 'match'}
                sx={e.role === 'context' ? { '& td': { color: 'text.secondary' } } : undefined}
              >
                <TableCell sx={{ whiteSpace: 'nowrap', width: 200 }}>{fmtTime(e.time)}</TableCell>
                <TableCell>{e.action ?? '—'}</TableCell>
                <TableCell>{e.actor ?? '—'}</TableCell>
                <TableCell sx={{ color: 'text.secondary' }}>
                  {e.log}#{e.index}
                </TableCell>
                <TableCell>{e.role === 'context' ? 'context' : 'match'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
      <AddToCaseDialog
        open={adding}
        entryIds={entryIds}
        reason={reason}
        suggestedTitle={title}
        onClose={() => setAdding(false)}
        onOpenCase={onOpenCase}
      />
    </Card>
  );
}
