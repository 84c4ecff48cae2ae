/** The overview: what is in the cache, how fresh and how verified it is, and open alarms. */
import { Alert, Box, Button, Card, CardContent, Chip, Stack, Typography } from '@mui/material';
import { call } from '../api';
import { fmtAgo, fmtInt, fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { Histogram } from '../components/Histogram';
import { Empty, ErrorNote, Loading } from '../components/Status';
import type { ScreenName } from '../App';

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Card variant="outlined" sx={{ flex: 1, minWidth: 180 }}>
      <CardContent>
        <Typography variant="overline" color="text.secondary">
          {label}
        </Typography>
        <Typography variant="h5" component="p">
          {value}
        </Typography>
        {hint && (
          <Typography variant="caption" color="text.secondary">
            {hint}
          </Typography>
        )}
      </CardContent>
    </Card>
  );
}

export function Overview({
  explore,
  go,
}: {
  explore: (q: string) => void;
  go: (s: ScreenName) => void;
}) {
  const o = useAsync(() => call('app.overview', {}), []);
  if (o.loading && !o.data) return <Loading label="Reading the cache…" />;
  if (o.error) return <ErrorNote error={o.error} title="The cache could not be read" />;
  const d = o.data!;
  const entries = d.logs.reduce((n, l) => n + l.entries, 0);
  const verified = d.logs.every((l) => l.verifiedSize === l.entries);
  const lastSync = Math.max(0, ...d.sources.map((s) => s.lastSyncAt ?? 0)) || null;
  return (
    <Stack spacing={2}>
      <Typography variant="h5" component="h2">
        Overview
      </Typography>
      {d.openAlarms > 0 && (
        <Alert
          severity="error"
          action={
            <Button color="inherit" size="small" onClick={() => go('verification')}>
              Review
            </Button>
          }
          data-testid="alarm-banner"
        >
          {d.openAlarms} open {d.openAlarms === 1 ? 'alarm' : 'alarms'}: a source or the log did not
          behave as a tamper-evident log must. Nothing unverified was stored.
        </Alert>
      )}
      <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap' }}>
        <Stat label="Entries" value={fmtInt(entries)} hint={`${d.logs.length} log(s)`} />
        <Stat
          label="Segments"
          value={fmtInt(d.logs.reduce((n, l) => n + Math.ceil(l.entries / 256), 0))}
          hint="bundles of 256 entries"
        />
        <Stat
          label="Verification"
          value={verified && entries > 0 ? 'Verified' : entries === 0 ? 'Empty' : 'Partial'}
          hint={verified ? 'every entry is in a signed checkpoint' : 'a sync is incomplete'}
        />
        <Stat label="Last sync" value={fmtAgo(lastSync)} hint={fmtTime(lastSync, false)} />
      </Stack>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" component="h3" gutterBottom>
            Activity
          </Typography>
          {d.activity.length === 0 ? (
            <Empty>No entries yet: add a source and sync.</Empty>
          ) : (
            <Histogram
              data={{
                bucketMs:
                  d.activity.length > 1 ? d.activity[1].start - d.activity[0].start : 86_400_000,
                buckets: d.activity,
              }}
              label="entries over time"
              onPick={(from, to) =>
                explore(
                  `time:[${new Date(from).toISOString()} TO ${new Date(to - 1).toISOString()}]`,
                )
              }
            />
          )}
        </CardContent>
      </Card>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" component="h3" gutterBottom>
            Logs
          </Typography>
          {d.logs.length === 0 && <Empty>No log in this cache yet.</Empty>}
          {d.logs.map((l) => (
            <Box key={l.origin} sx={{ mb: 1 }}>
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <Typography variant="body1" sx={{ fontWeight: 600 }}>
                  {l.origin}
                </Typography>
                <Chip
                  size="small"
                  color={l.verifiedSize === l.entries ? 'success' : 'warning'}
                  label={
                    l.verifiedSize === l.entries
                      ? `verified at size ${fmtInt(l.verifiedSize)}`
                      : `${fmtInt(l.entries - l.verifiedSize)} entries awaiting their checkpoint`
                  }
                />
              </Stack>
              <Typography variant="caption" color="text.secondary" component="div">
                root {l.rootHash ?? '—'} · checkpoint accepted {fmtTime(l.checkpointTime, false)}
              </Typography>
            </Box>
          ))}
        </CardContent>
      </Card>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" component="h3" gutterBottom>
            Sources
          </Typography>
          {d.sources.length === 0 && <Empty>No sources yet.</Empty>}
          {d.sources.map((s) => (
            <Stack key={s.id} direction="row" spacing={1} sx={{ alignItems: 'center', mb: 0.5 }}>
              <Chip
                size="small"
                color={s.lastStatus === 'ok' ? 'success' : s.lastStatus ? 'error' : 'default'}
                label={s.lastStatus ?? 'not synced'}
              />
              <Typography variant="body2" sx={{ wordBreak: 'break-all' }}>
                {s.location}
              </Typography>
              <Typography variant="caption" color="text.secondary">
                {fmtAgo(s.lastSyncAt)}
              </Typography>
            </Stack>
          ))}
        </CardContent>
      </Card>
    </Stack>
  );
}
