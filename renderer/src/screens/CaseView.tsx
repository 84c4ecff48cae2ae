/**
 * One case: its status (open, in review, closed; a closed case is read-only until reopened), its
 * summary and description, and tabs for its events, notes, evidence, timeline and custody log.
 * Export writes the case as a verifiable bundle.
 */
import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Stack,
  Tab,
  Tabs,
  Typography,
} from '@mui/material';
import type { Output } from '../../../shared/ipc/contract';
import { call } from '../api';
import { fmtInt, fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { type CaseDto, type CaseStatus, CaseStatusChip, fmtPeriod } from '../components/caseBits';
import { CaseFormDialog } from '../components/CaseFormDialog';
import { CaseEvents } from '../components/CaseEvents';
import { CaseNotes } from '../components/CaseNotes';
import { CaseEvidence } from '../components/CaseEvidence';
import { CaseTimeline } from '../components/CaseTimeline';
import { CaseActivity } from '../components/CaseActivity';
import { Markdown } from '../components/Markdown';
import { ErrorNote, Loading } from '../components/Status';

const TABS = ['events', 'notes', 'evidence', 'timeline', 'activity'] as const;
type TabName = (typeof TABS)[number];

export function CaseView({ id, onBack }: { id: number; onBack: () => void }) {
  // Bumped after every change, so that every tab (and the counts) read the case again.
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  const c = useAsync(() => call('cases.get', { id }), [id, version]);
  const [tab, setTab] = useState<TabName>('events');
  const [editing, setEditing] = useState(false);

  if (c.loading && !c.data) return <Loading label="Opening the case…" />;
  if (c.error && !c.data)
    return (
      <Stack spacing={1} sx={{ alignItems: 'flex-start' }}>
        <Button onClick={onBack}>‹ All cases</Button>
        <ErrorNote error={c.error} title="The case could not be opened" />
      </Stack>
    );
  const k = c.data!;
  const closed = k.status === 'closed';
  const counts: Record<TabName, string> = {
    events: `Events (${fmtInt(k.events)})`,
    notes: `Notes (${fmtInt(k.notes)})`,
    evidence: `Evidence (${fmtInt(k.evidence)})`,
    timeline: 'Timeline',
    activity: 'Activity',
  };

  return (
    <Stack spacing={2} data-testid="case-view">
      <Box>
        <Button size="small" onClick={onBack} sx={{ ml: -1 }}>
          ‹ All cases
        </Button>
      </Box>
      <Stack
        direction="row"
        spacing={1.5}
        sx={{ alignItems: 'center', flexWrap: 'wrap' }}
        useFlexGap
      >
        <Typography variant="h5" component="h2" sx={{ minWidth: 0, overflowWrap: 'anywhere' }}>
          {k.title}
        </Typography>
        <CaseStatusChip status={k.status} />
        <Box sx={{ flex: 1 }} />
        <StatusControl c={k} onChanged={changed} />
        <ExportButton id={k.id} onExported={changed} />
      </Stack>
      {closed && (
        <Alert severity="info" data-testid="closed-banner">
          <strong>This case is closed and read-only.</strong> Its events, tags, notes and evidence
          can be read and exported, but not changed. Reopen it to change it; reopening is recorded
          in its activity.
        </Alert>
      )}
      {c.error && <ErrorNote error={c.error} />}

      <Card variant="outlined">
        <CardContent>
          <Stack direction="row" sx={{ alignItems: 'flex-start' }} spacing={3}>
            <Box
              component="dl"
              sx={{
                m: 0,
                display: 'grid',
                gridTemplateColumns: 'max-content 1fr',
                columnGap: 2,
                rowGap: 0.5,
                fontSize: 13,
                flexShrink: 0,
                '& dt': { color: 'text.secondary' },
                '& dd': { m: 0 },
              }}
            >
              {(
                [
                  ['Owner', k.owner],
                  ['Period', fmtPeriod(k.periodFrom, k.periodTo)],
                  ['Created', fmtTime(k.createdAt, false)],
                  ['Changed', fmtTime(k.changedAt, false)],
                  ...(k.importedAt !== null
                    ? [['Imported', fmtTime(k.importedAt, false)] as [string, string]]
                    : []),
                  ['Case id', k.uid],
                ] as Array<[string, string]>
              ).map(([label, value]) => (
                <Box key={label} sx={{ display: 'contents' }}>
                  <dt>{label}</dt>
                  <Box
                    component="dd"
                    sx={label === 'Case id' ? { fontFamily: 'monospace', fontSize: 12 } : {}}
                  >
                    {value}
                  </Box>
                </Box>
              ))}
            </Box>
            <Box sx={{ flex: 1, minWidth: 0, borderLeft: 1, borderColor: 'divider', pl: 3 }}>
              <Stack direction="row" sx={{ alignItems: 'center', mb: 0.5 }}>
                <Typography variant="subtitle1" component="h3" sx={{ flex: 1 }}>
                  Description
                </Typography>
                <Button
                  size="small"
                  disabled={closed}
                  onClick={() => setEditing(true)}
                  title={
                    closed ? 'Reopen the case to edit it' : 'Edit the title, description and period'
                  }
                >
                  Edit
                </Button>
              </Stack>
              {k.description.trim() ? (
                <Box data-testid="case-description">
                  <Markdown text={k.description} />
                </Box>
              ) : (
                <Typography variant="body2" color="text.secondary">
                  No description yet.
                </Typography>
              )}
            </Box>
          </Stack>
        </CardContent>
      </Card>

      <Card variant="outlined">
        <Tabs
          value={tab}
          onChange={(_, v: TabName) => setTab(v)}
          aria-label="case sections"
          sx={{ borderBottom: 1, borderColor: 'divider', px: 1 }}
        >
          {TABS.map((t) => (
            <Tab
              key={t}
              value={t}
              label={counts[t]}
              id={`case-tab-${t}`}
              aria-controls={`case-panel-${t}`}
              data-tab={t}
            />
          ))}
        </Tabs>
        <Box
          role="tabpanel"
          id={`case-panel-${tab}`}
          aria-labelledby={`case-tab-${tab}`}
          sx={{ p: 2 }}
        >
          {tab === 'events' && <CaseEvents c={k} version={version} onChanged={changed} />}
          {tab === 'notes' && <CaseNotes c={k} version={version} onChanged={changed} />}
          {tab === 'evidence' && <CaseEvidence c={k} version={version} onChanged={changed} />}
          {tab === 'timeline' && <CaseTimeline id={k.id} version={version} />}
          {tab === 'activity' && <CaseActivity id={k.id} version={version} />}
        </Box>
      </Card>

      <CaseFormDialog
        open={editing}
        existing={k}
        onClose={() => setEditing(false)}
        onSaved={() => {
          setEditing(false);
          changed();
        }}
      />
    </Stack>
  );
}

const MOVES: Record<CaseStatus, Array<{ to: CaseStatus; label: string; primary?: boolean }>> = {
  open: [
    { to: 'in-review', label: 'Send for review' },
    { to: 'closed', label: 'Close case', primary: true },
  ],
  'in-review': [
    { to: 'open', label: 'Back to open' },
    { to: 'closed', label: 'Close case', primary: true },
  ],
  closed: [{ to: 'open', label: 'Reopen', primary: true }],
};

/** Moves the case along: open → in review → closed, and back; closing asks first. */
function StatusControl({ c, onChanged }: { c: CaseDto; onChanged: () => void }) {
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const move = (status: CaseStatus) => {
    setBusy(true);
    setError(null);
    call('cases.setStatus', { id: c.id, status }).then(
      () => {
        setBusy(false);
        setConfirm(false);
        onChanged();
      },
      (e: Error) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  return (
    <>
      <Stack direction="row" spacing={1} role="group" aria-label="case status">
        {MOVES[c.status].map((m) => (
          <Button
            key={m.to}
            variant={m.primary ? 'outlined' : 'text'}
            disabled={busy}
            onClick={() => (m.to === 'closed' ? setConfirm(true) : move(m.to))}
          >
            {m.label}
          </Button>
        ))}
      </Stack>
      <Dialog open={confirm} onClose={() => setConfirm(false)}>
        <DialogTitle>Close this case?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            A closed case is read-only: no events, tags, notes or evidence can be added or changed
            until it is reopened. Closing and reopening are both recorded in the case&apos;s
            activity.
          </DialogContentText>
          {error && <ErrorNote error={error} />}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirm(false)}>Cancel</Button>
          <Button variant="contained" disabled={busy} onClick={() => move('closed')}>
            Close case
          </Button>
        </DialogActions>
      </Dialog>
      {error && !confirm && (
        <Box sx={{ width: '100%' }}>
          <ErrorNote error={error} title="The status was not changed" />
        </Box>
      )}
    </>
  );
}

/** Writes the case as a bundle (BagIt, with each event's proof) and says where. */
function ExportButton({ id, onExported }: { id: number; onExported: () => void }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Output<'cases.export'> | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const run = () => {
    setBusy(true);
    setError(null);
    setResult(null);
    call('cases.export', { id }).then(
      (r) => {
        setBusy(false);
        setResult(r);
        onExported();
      },
      (e: Error) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  return (
    <>
      <Button variant="contained" disabled={busy} onClick={run}>
        {busy ? 'Exporting…' : 'Export'}
      </Button>
      {(result || error) && (
        <Box sx={{ width: '100%' }}>
          {result && (
            <Alert severity="success" onClose={() => setResult(null)} data-testid="export-result">
              Exported {fmtInt(result.events)} {result.events === 1 ? 'event' : 'events'} with their
              inclusion proofs and {fmtInt(result.evidence)} evidence{' '}
              {result.evidence === 1 ? 'file' : 'files'} to{' '}
              <Box component="code" data-testid="export-dir" sx={{ wordBreak: 'break-all' }}>
                {result.dir}
              </Box>{' '}
              (a BagIt bag, Payload-Oxum {result.oxum}).
            </Alert>
          )}
          {error && <ErrorNote error={error} title="Not exported" />}
        </Box>
      )}
    </>
  );
}
