/** A case's notes, on the case and on its events, oldest first; and a new one, in Markdown. */
import { useState } from 'react';
import {
  Box,
  Button,
  Chip,
  List,
  ListItem,
  Paper,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { call } from '../api';
import { fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { type CaseDto, logRef } from './caseBits';
import { Markdown } from './Markdown';
import { Empty, ErrorNote, Loading } from './Status';

export function CaseNotes({
  c,
  version,
  onChanged,
}: {
  c: CaseDto;
  version: number;
  onChanged: () => void;
}) {
  const notes = useAsync(() => call('cases.notes', { id: c.id }), [c.id, version]);
  const events = useAsync(() => call('cases.events', { id: c.id }), [c.id, version]);
  const [body, setBody] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const closed = c.status === 'closed';
  const eventRef = new Map((events.data ?? []).map((e) => [e.id, logRef(e.origin, e.index)]));

  const add = () => {
    setBusy(true);
    setError(null);
    call('cases.addNote', { id: c.id, body }).then(
      () => {
        setBusy(false);
        setBody('');
        onChanged();
      },
      (e: Error) => {
        setBusy(false);
        setError(e);
      },
    );
  };

  return (
    <Stack spacing={2}>
      {notes.loading && !notes.data && <Loading label="Reading the notes…" />}
      {notes.error && <ErrorNote error={notes.error} />}
      {notes.data?.length === 0 && <Empty>No notes yet.</Empty>}
      {notes.data && notes.data.length > 0 && (
        <List disablePadding aria-label="notes" sx={{ display: 'grid', gap: 1 }}>
          {notes.data.map((n) => (
            <ListItem key={n.id} disablePadding data-note={n.id}>
              <Paper variant="outlined" sx={{ p: 1.5, width: '100%' }}>
                <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 0.5 }}>
                  <Typography variant="body2" sx={{ fontWeight: 600 }}>
                    {n.author}
                  </Typography>
                  <Typography variant="caption" color="text.secondary">
                    {fmtTime(n.createdAt, false)}
                  </Typography>
                  {n.eventId !== null ? (
                    <Chip
                      size="small"
                      variant="outlined"
                      label={`on event ${eventRef.get(n.eventId) ?? n.eventId}`}
                    />
                  ) : (
                    <Chip size="small" variant="outlined" label="on the case" />
                  )}
                </Stack>
                <Markdown text={n.body} />
              </Paper>
            </ListItem>
          ))}
        </List>
      )}
      {closed ? (
        <Typography variant="body2" color="text.secondary">
          The case is closed: reopen it to add a note.
        </Typography>
      ) : (
        <Box>
          <TextField
            multiline
            fullWidth
            minRows={3}
            label="New note on the case"
            helperText="Markdown: **bold**, _italic_, lists, `code`. To note one event, use Note… on the Events tab."
            value={body}
            onChange={(e) => setBody(e.target.value)}
          />
          <Stack direction="row" sx={{ justifyContent: 'flex-end', mt: 1 }}>
            <Button variant="contained" disabled={busy || !body.trim()} onClick={add}>
              Add note
            </Button>
          </Stack>
          {error && <ErrorNote error={error} title="Not added" />}
        </Box>
      )}
    </Stack>
  );
}
