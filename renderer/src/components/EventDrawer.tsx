/** One entry: its normalised fields, the record as logged, and its inclusion proof checked now. */
import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  Divider,
  Drawer,
  IconButton,
  Stack,
  Typography,
} from '@mui/material';
import { call } from '../api';
import { fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { ErrorNote, Loading } from './Status';
import { AddToCaseDialog } from './AddToCaseDialog';

function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function pretty(entry: string): string {
  try {
    return JSON.stringify(JSON.parse(entry), null, 2);
  } catch {
    return entry;
  }
}

export function EventDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const state = useAsync(
    () => (id === null ? Promise.resolve(null) : call('search.entry', { id })),
    [id],
  );
  const e = state.data;
  const [adding, setAdding] = useState(false);
  return (
    <Drawer
      anchor="right"
      open={id !== null}
      onClose={onClose}
      sx={{ zIndex: (t) => t.zIndex.modal }}
    >
      <Box sx={{ width: 620, p: 2 }} role="dialog" aria-label="event details">
        <Stack direction="row" sx={{ alignItems: 'center', mb: 1 }}>
          <Typography variant="h6" component="h2" sx={{ flex: 1 }}>
            Event {e ? `#${e.row.index}` : ''}
          </Typography>
          <Button size="small" variant="outlined" disabled={!e} onClick={() => setAdding(true)}>
            Add to case…
          </Button>
          <IconButton aria-label="close" onClick={onClose}>
            <span aria-hidden="true">✕</span>
          </IconButton>
        </Stack>
        {state.loading && <Loading label="Opening the entry and checking its proof…" />}
        {state.error && <ErrorNote error={state.error} />}
        {e && (
          <>
            {e.proof.verified ? (
              <Alert severity="success" data-testid="proof-status">
                Inclusion proof verified just now: entry {e.row.index} is in the log{' '}
                <strong>{e.row.log}</strong> at the signed checkpoint of size{' '}
                {e.proof.checkpointSize?.toLocaleString('en-US')} (root {e.proof.rootHash}).
              </Alert>
            ) : (
              <Alert severity="error" data-testid="proof-status">
                The inclusion proof could not be verified: {e.proof.problem}
              </Alert>
            )}
            <Box
              component="dl"
              sx={{
                display: 'grid',
                gridTemplateColumns: 'max-content 1fr',
                columnGap: 2,
                rowGap: 0.5,
                my: 2,
                '& dt': { color: 'text.secondary' },
                '& dd': { m: 0, wordBreak: 'break-all' },
              }}
            >
              {(
                [
                  ['time', fmtTime(e.row.time)],
                  ['log', e.row.log],
                  ['index', String(e.row.index)],
                  ['source', e.row.source],
                  ['category', e.row.category],
                  ['action', e.row.action],
                  ['outcome', e.row.outcome],
                  ['actor', e.row.actor],
                  ['actor.type', e.row.actorType],
                  ['actor.role', e.row.actorRole],
                  ['ip', e.row.ip],
                  ['target', e.row.target],
                  ['subject', e.row.subject],
                  ['severity', e.row.severity],
                  ['leaf hash', e.leafHash],
                ] as Array<[string, string | null]>
              )
                .filter(([, v]) => v !== null)
                .map(([k, v]) => (
                  <Box key={k} sx={{ display: 'contents' }}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </Box>
                ))}
            </Box>
            <Divider />
            <Typography variant="subtitle2" sx={{ mt: 2 }}>
              The record, as logged
            </Typography>
            <Box
              component="pre"
              data-testid="entry-json"
              sx={{
                fontSize: 12,
                bgcolor: 'action.hover',
                p: 1.5,
                borderRadius: 1,
                overflow: 'auto',
                maxHeight: 360,
              }}
            >
              {pretty(e.entry)}
            </Box>
            <Stack direction="row" spacing={1} sx={{ mt: 1 }}>
              <Chip size="small" label={e.row.kind} />
              <Box sx={{ flex: 1 }} />
              <Button
                size="small"
                disabled={!e.proof.text}
                onClick={() => void navigator.clipboard?.writeText(e.proof.text ?? '')}
              >
                Copy proof
              </Button>
              <Button
                size="small"
                variant="outlined"
                disabled={!e.proof.text}
                onClick={() =>
                  download(`entry-${e.row.index}.tlog-proof`, e.proof.text ?? '', 'text/plain')
                }
              >
                Save proof
              </Button>
              <Button
                size="small"
                variant="outlined"
                onClick={() => download(`entry-${e.row.index}.json`, e.entry, 'application/json')}
              >
                Save record
              </Button>
            </Stack>
          </>
        )}
      </Box>
      <AddToCaseDialog
        open={adding && id !== null}
        entryIds={id === null ? [] : [id]}
        onClose={() => setAdding(false)}
      />
    </Drawer>
  );
}
