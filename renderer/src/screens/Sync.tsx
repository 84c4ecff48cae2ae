/** Sync: the sources of this cache, a sync with real progress, and what each sync found. */
import { useEffect, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  LinearProgress,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import type { Output } from '../../../shared/ipc/contract';
import { call, onEvent } from '../api';
import { fmtAgo, fmtInt, fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { useRun } from '../useRun';
import { RunHeader } from '../components/RunHeader';
import { ErrorNote, Loading } from '../components/Status';

export function SyncScreen() {
  const overview = useAsync(() => call('app.overview', {}), []);
  const [progress, setProgress] = useState<Record<string, { done: number; total: number | null }>>(
    {},
  );
  const { running, result, error, run } = useRun<Output<'sync.run'>>();
  useEffect(
    () =>
      onEvent('sync.progress', (p) =>
        setProgress((old) => ({ ...old, [p.location]: { done: p.done, total: p.total } })),
      ),
    [],
  );
  const sync = () => {
    setProgress({});
    run(() => call('sync.run', {}), overview.reload);
  };
  return (
    <Stack spacing={2}>
      <RunHeader
        title="Sync"
        running={running}
        startLabel="Sync now"
        runningLabel="Syncing…"
        onStart={sync}
        onCancel={() => void call('sync.cancel', {})}
      />
      <Typography variant="body2" color="text.secondary">
        A sync checks each source&apos;s signed checkpoint against the trust policy, proves it
        consistent with the last one accepted, and stores each segment only after it hashes into the
        signed tree. Anything else raises an alarm and stores nothing.
      </Typography>
      {overview.loading && !overview.data && <Loading label="Reading the sources…" />}
      {overview.error && <ErrorNote error={overview.error} />}
      {overview.data?.sources.map((s) => {
        const p = progress[s.location];
        const r = result?.results.find((x) => x.location === s.location);
        return (
          <Card key={s.id} variant="outlined">
            <CardContent>
              <Stack direction="row" sx={{ alignItems: 'center' }}>
                <SourceLocation
                  id={s.id}
                  location={s.location}
                  disabled={running}
                  onSaved={overview.reload}
                />
                <Button
                  size="small"
                  disabled={running}
                  title="Stop syncing this source; what it brought stays in the cache"
                  onClick={() =>
                    void call('sources.remove', { id: s.id }).then(overview.reload, () => {})
                  }
                >
                  Remove
                </Button>
              </Stack>
              <Typography variant="caption" color="text.secondary">
                {s.origin ?? 'log not known yet'} · last sync {fmtAgo(s.lastSyncAt)}
                {s.lastStatus ? ` (${s.lastStatus})` : ''}
              </Typography>
              {running && (
                <Box sx={{ mt: 1 }}>
                  <LinearProgress
                    variant={p?.total ? 'determinate' : 'indeterminate'}
                    value={p?.total ? (100 * p.done) / p.total : undefined}
                    aria-label={`sync progress of ${s.location}`}
                  />
                  <Typography variant="caption">
                    {p
                      ? `${fmtInt(p.done)}${p.total ? ` of ${fmtInt(p.total)}` : ''} entries`
                      : 'starting…'}
                  </Typography>
                </Box>
              )}
              {r && (
                <Alert
                  severity={r.ok ? 'success' : 'error'}
                  sx={{ mt: 1 }}
                  data-testid="sync-result"
                >
                  {r.message}
                </Alert>
              )}
              {s.lastError && !r && (
                <Alert severity="warning" sx={{ mt: 1 }}>
                  {s.lastError}
                </Alert>
              )}
            </CardContent>
          </Card>
        );
      })}
      {error && <ErrorNote error={error} title="Sync failed" />}
      <SyncHistory refresh={result} />
      <AddSource onAdded={overview.reload} />
      <TrustPolicy />
    </Stack>
  );
}

/** What each sync found, newest first. */
function SyncHistory({ refresh }: { refresh: unknown }) {
  const history = useAsync(() => call('sync.history', { limit: 20 }), [refresh]);
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="subtitle1" component="h3" gutterBottom>
          History
        </Typography>
        {history.error && <ErrorNote error={history.error} />}
        {history.data?.length === 0 && <Typography variant="body2">No sync yet.</Typography>}
        {history.data?.map((h, i) => (
          <Stack
            key={`${h.at}-${i}`}
            direction="row"
            spacing={1}
            sx={{ alignItems: 'baseline', mb: 0.5 }}
          >
            <Typography variant="caption" color="text.secondary" sx={{ whiteSpace: 'nowrap' }}>
              {fmtTime(h.at, false)}
            </Typography>
            <Chip size="small" color={h.status === 'ok' ? 'success' : 'error'} label={h.status} />
            <Typography variant="body2" sx={{ wordBreak: 'break-all' }}>
              {h.message ?? h.location}
            </Typography>
          </Stack>
        ))}
      </CardContent>
    </Card>
  );
}

/** A new source: a folder, an http(s) address or s3://bucket/prefix; tested before it is added. */
/** A source's location, which can be changed when the store moves (same log, new address). */
function SourceLocation({
  id,
  location,
  disabled,
  onSaved,
}: {
  id: number;
  location: string;
  disabled: boolean;
  onSaved: () => void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  if (draft === null)
    return (
      <>
        <Typography variant="subtitle1" sx={{ wordBreak: 'break-all', flex: 1 }}>
          {location}
        </Typography>
        <Button
          size="small"
          disabled={disabled}
          title="Change where this source is read from"
          onClick={() => {
            setError(null);
            setDraft(location);
          }}
        >
          Edit
        </Button>
      </>
    );
  const save = () => {
    setBusy(true);
    setError(null);
    call('sources.edit', { id, location: draft }).then(
      () => {
        setBusy(false);
        setDraft(null);
        onSaved();
      },
      (e: Error) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  return (
    <Stack spacing={1} sx={{ flex: 1, mr: 1 }}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <TextField
          size="small"
          fullWidth
          label="Location"
          value={draft}
          autoFocus
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') save();
            if (e.key === 'Escape') setDraft(null);
          }}
        />
        <Button variant="contained" size="small" disabled={busy || !draft.trim()} onClick={save}>
          Save
        </Button>
        <Button size="small" disabled={busy} onClick={() => setDraft(null)}>
          Cancel
        </Button>
      </Stack>
      {error && <ErrorNote error={error} title="Not changed" />}
    </Stack>
  );
}

function AddSource({ onAdded }: { onAdded: () => void }) {
  const [location, setLocation] = useState('');
  const [test, setTest] = useState<Output<'sources.test'> | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const act = (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    f().then(
      () => setBusy(false),
      (e: Error) => {
        setError(e);
        setBusy(false);
      },
    );
  };
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="subtitle1" component="h3" gutterBottom>
          Add a source
        </Typography>
        <Stack direction="row" spacing={1}>
          <TextField
            size="small"
            fullWidth
            label="Location"
            placeholder="/srv/audit-store, https://logs.example.com/audit/ or s3://bucket/prefix"
            value={location}
            onChange={(e) => {
              setLocation(e.target.value);
              setTest(null);
            }}
          />
          <Button
            disabled={!location.trim() || busy}
            onClick={() => act(async () => setTest(await call('sources.test', { location })))}
          >
            Test
          </Button>
          <Button
            variant="outlined"
            disabled={!location.trim() || busy}
            onClick={() =>
              act(async () => {
                await call('sources.add', { location });
                setLocation('');
                setTest(null);
                onAdded();
              })
            }
          >
            Add
          </Button>
        </Stack>
        {test && (
          <Alert severity={test.ok ? 'success' : 'error'} sx={{ mt: 1 }} data-testid="source-test">
            {test.message}
          </Alert>
        )}
        {error && <ErrorNote error={error} />}
      </CardContent>
    </Card>
  );
}

/** The trust policy this cache checks checkpoints against; editable, checked before it is kept. */
function TrustPolicy() {
  const trust = useAsync(() => call('trust.get', {}), []);
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const save = () =>
    call('trust.set', { text: draft ?? '' }).then(
      () => {
        setDraft(null);
        setError(null);
        trust.reload();
      },
      (e: Error) => setError(e),
    );
  return (
    <Card variant="outlined">
      <CardContent>
        <Stack direction="row" sx={{ alignItems: 'center', mb: 1 }}>
          <Typography variant="subtitle1" component="h3" sx={{ flex: 1 }}>
            Trust policy
          </Typography>
          {draft === null ? (
            <Button size="small" onClick={() => setDraft(trust.data?.text ?? '')}>
              Edit
            </Button>
          ) : (
            <>
              <Button size="small" onClick={() => setDraft(null)}>
                Cancel
              </Button>
              <Button size="small" variant="contained" onClick={() => void save()}>
                Save
              </Button>
            </>
          )}
        </Stack>
        {trust.error && <ErrorNote error={trust.error} />}
        {draft !== null ? (
          <>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
              One verifier key per line (name+keyid+key), or a c2sp.org/tlog-policy with log,
              witness, group and quorum lines. Checkpoints signed by keys not listed here will be
              refused from the next sync on.
            </Typography>
            <TextField
              multiline
              fullWidth
              minRows={3}
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              slotProps={{
                htmlInput: {
                  'aria-label': 'trust policy',
                  spellCheck: false,
                  style: { fontFamily: 'monospace', fontSize: 12 },
                },
              }}
            />
            {error && <ErrorNote error={error} title="Not saved" />}
          </>
        ) : (
          <>
            {trust.data && !trust.data.text && (
              <Typography variant="body2">None yet: add one with Edit.</Typography>
            )}
            {trust.data?.text && (
              <>
                <Typography variant="body2">
                  Trusted log keys: {trust.data.logs.join(', ') || 'none'}. Witnesses:{' '}
                  {trust.data.witnesses.join(', ') || 'none'}. Quorum: {trust.data.quorum}.
                </Typography>
                <Box
                  component="pre"
                  sx={{ fontSize: 12, bgcolor: 'action.hover', p: 1, overflow: 'auto' }}
                >
                  {trust.data.text}
                </Box>
              </>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}
