/**
 * A case's events: searched with the query language within the case, selected to tag, untag or
 * take out of the case, each with its notes, and opened with its proof when the cache holds it.
 */
import { useState } from 'react';
import {
  Box,
  Button,
  Checkbox,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import { ApiError, call } from '../api';
import { fmtInt, fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { type CaseDto, type CaseEventDto, logRef, TAG_HELP, TAG_RULE } from './caseBits';
import { EventDrawer } from './EventDrawer';
import { Markdown } from './Markdown';
import { Empty, ErrorNote, Loading } from './Status';

const SHOWN = 500;

export function CaseEvents({
  c,
  version,
  onChanged,
}: {
  c: CaseDto;
  version: number;
  onChanged: () => void;
}) {
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const events = useAsync(() => call('cases.events', { id: c.id, query }), [c.id, query, version]);
  const notes = useAsync(() => call('cases.notes', { id: c.id }), [c.id, version]);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [noteFor, setNoteFor] = useState<CaseEventDto | null>(null);
  const [openEntry, setOpenEntry] = useState<number | null>(null);
  const closed = c.status === 'closed';
  // A new search starts a new selection: nothing hidden by a search is acted on.
  const search = (q: string) => {
    setQuery(q);
    setSelected(new Set());
  };

  const rows = events.data ?? [];
  const shown = rows.slice(0, SHOWN);
  const chosen = rows.filter((e) => selected.has(e.id));
  const notesPer = new Map<number, number>();
  for (const n of notes.data ?? [])
    if (n.eventId !== null) notesPer.set(n.eventId, (notesPer.get(n.eventId) ?? 0) + 1);
  const toggle = (id: number) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const allShown = shown.length > 0 && shown.every((e) => selected.has(e.id));
  const queryError =
    events.error instanceof ApiError && events.error.error.kind === 'query' ? events.error : null;

  return (
    <Stack spacing={1.5}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
        <TextField
          size="small"
          fullWidth
          label="Search within the case"
          placeholder="e.g. action:customer.export or tag:exfiltration"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') search(draft.trim());
          }}
          error={!!queryError}
          helperText={
            queryError
              ? queryError.message
              : 'The Explorer\u2019s query language, over this case\u2019s events only.'
          }
          slotProps={{ htmlInput: { 'aria-label': 'search within the case', spellCheck: false } }}
        />
        <Button variant="outlined" onClick={() => search(draft.trim())}>
          Search
        </Button>
        {query && (
          <Button
            onClick={() => {
              setDraft('');
              search('');
            }}
          >
            Clear
          </Button>
        )}
      </Stack>

      <SelectionBar
        caseId={c.id}
        chosen={chosen}
        disabled={closed}
        onDone={() => {
          onChanged();
        }}
        onRemoved={() => {
          setSelected(new Set());
          onChanged();
        }}
      />

      {events.loading && !events.data && <Loading label="Reading the case's events…" />}
      {events.error && !queryError && <ErrorNote error={events.error} />}
      {events.data && rows.length === 0 && (
        <Empty>
          {query
            ? 'No event of this case matches the search.'
            : 'No events yet: add some from the Explorer (select rows, Add to case…) or from a detection.'}
        </Empty>
      )}
      {shown.length > 0 && (
        <TableContainer component={Paper} variant="outlined" sx={{ maxHeight: 560 }}>
          <Table size="small" stickyHeader aria-label="case events">
            <TableHead>
              <TableRow>
                <TableCell padding="checkbox">
                  <Checkbox
                    size="small"
                    checked={allShown}
                    indeterminate={!allShown && shown.some((e) => selected.has(e.id))}
                    onChange={() =>
                      setSelected(allShown ? new Set() : new Set(shown.map((e) => e.id)))
                    }
                    slotProps={{ input: { 'aria-label': 'select every event shown' } }}
                  />
                </TableCell>
                <TableCell>Time (UTC)</TableCell>
                <TableCell>Action</TableCell>
                <TableCell>Actor</TableCell>
                <TableCell>Outcome</TableCell>
                <TableCell>Source</TableCell>
                <TableCell>Log # index</TableCell>
                <TableCell>Tags</TableCell>
                <TableCell align="right">Notes</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {shown.map((e) => {
                const ref = logRef(e.origin, e.index);
                return (
                  <TableRow
                    key={e.id}
                    hover
                    selected={selected.has(e.id)}
                    data-event={ref}
                    data-action={e.fields.action ?? ''}
                  >
                    <TableCell padding="checkbox">
                      <Checkbox
                        size="small"
                        checked={selected.has(e.id)}
                        onChange={() => toggle(e.id)}
                        slotProps={{ input: { 'aria-label': `select ${ref}` } }}
                      />
                    </TableCell>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>{fmtTime(e.fields.time)}</TableCell>
                    <TableCell>{e.fields.action ?? '—'}</TableCell>
                    <TableCell>{e.fields.actor ?? '—'}</TableCell>
                    <TableCell>{e.fields.outcome ?? '—'}</TableCell>
                    <TableCell>{e.fields.source ?? '—'}</TableCell>
                    <TableCell sx={{ whiteSpace: 'nowrap' }}>
                      {e.entryId !== null ? (
                        <Button
                          size="small"
                          onClick={() => setOpenEntry(e.entryId)}
                          aria-label={`open ${ref} with its proof`}
                          sx={{ textTransform: 'none', minWidth: 0, px: 0.5, fontWeight: 400 }}
                        >
                          {ref}
                        </Button>
                      ) : (
                        <span title="This workspace does not hold this log: the case keeps the entry and its proof">
                          {ref}
                        </span>
                      )}
                    </TableCell>
                    <TableCell>
                      <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
                        {e.tags.map((t) => (
                          <Chip key={t} size="small" label={t} variant="outlined" />
                        ))}
                      </Stack>
                    </TableCell>
                    <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                      <NotesButton
                        count={notesPer.get(e.id) ?? 0}
                        closed={closed}
                        label={`notes on ${ref}`}
                        onClick={() => setNoteFor(e)}
                      />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      {rows.length > SHOWN && (
        <Typography variant="caption" color="text.secondary">
          Showing the first {fmtInt(SHOWN)} of {fmtInt(rows.length)} events: narrow them with a
          search.
        </Typography>
      )}

      <EventNoteDialog
        caseId={c.id}
        event={noteFor}
        readOnly={closed}
        notes={(notes.data ?? []).filter((n) => noteFor && n.eventId === noteFor.id)}
        onClose={() => setNoteFor(null)}
        onAdded={() => {
          setNoteFor(null);
          onChanged();
        }}
      />
      <EventDrawer id={openEntry} onClose={() => setOpenEntry(null)} />
    </Stack>
  );
}

/** An event's notes: how many, and a way to read them or add one. */
function NotesButton({
  count,
  closed,
  label,
  onClick,
}: {
  count: number;
  closed: boolean;
  label: string;
  onClick: () => void;
}) {
  const title =
    count === 0
      ? closed
        ? 'No notes on this event'
        : 'Add a note on this event'
      : `${count} ${count === 1 ? 'note' : 'notes'} on this event`;
  return (
    <Tooltip title={title}>
      <span>
        <Button
          size="small"
          onClick={onClick}
          disabled={closed && count === 0}
          aria-label={label}
          color={count > 0 ? 'primary' : 'inherit'}
          sx={{ minWidth: 0, px: 1, color: count > 0 ? undefined : 'text.secondary' }}
        >
          <span aria-hidden="true">✎</span>
          {count > 0 && (
            <Box component="span" sx={{ ml: 0.5, fontWeight: 600 }}>
              {count}
            </Box>
          )}
        </Button>
      </span>
    </Tooltip>
  );
}

/** What can be done to the selected events: tag, untag, take out of the case. */
function SelectionBar({
  caseId,
  chosen,
  disabled,
  onDone,
  onRemoved,
}: {
  caseId: number;
  chosen: CaseEventDto[];
  disabled: boolean;
  onDone: () => void;
  onRemoved: () => void;
}) {
  const [tag, setTag] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const valid = TAG_RULE.test(tag.trim());
  const n = chosen.length;
  const act = (work: () => Promise<unknown>, after: () => void) => {
    setBusy(true);
    setError(null);
    work().then(
      () => {
        setBusy(false);
        after();
      },
      (e: Error) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  const tagging = (remove: boolean) =>
    act(
      () =>
        call('cases.tag', {
          id: caseId,
          eventIds: chosen.map((e) => e.id),
          tag: tag.trim(),
          remove,
        }),
      () => {
        setTag('');
        onDone();
      },
    );
  return (
    <Box>
      <Stack
        direction="row"
        spacing={1}
        sx={{ alignItems: 'center', minHeight: 40 }}
        role="group"
        aria-label="selected events"
      >
        <Typography variant="body2" sx={{ minWidth: 92 }} aria-live="polite">
          {n === 0 ? 'None selected' : `${fmtInt(n)} selected`}
        </Typography>
        <TextField
          size="small"
          label="Tag"
          value={tag}
          onChange={(e) => setTag(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && valid && n > 0 && !disabled) tagging(false);
          }}
          disabled={disabled}
          error={tag.trim() !== '' && !valid}
          title={TAG_HELP}
          sx={{ width: 220 }}
          slotProps={{ htmlInput: { maxLength: 50 } }}
        />
        <Button
          variant="outlined"
          disabled={disabled || busy || n === 0 || !valid}
          onClick={() => tagging(false)}
        >
          Add tag
        </Button>
        <Button disabled={disabled || busy || n === 0 || !valid} onClick={() => tagging(true)}>
          Remove tag
        </Button>
        <Box sx={{ flex: 1 }} />
        <Button
          color="error"
          disabled={disabled || busy || n === 0}
          onClick={() =>
            act(async () => {
              for (const e of chosen)
                await call('cases.removeEvent', { id: caseId, eventId: e.id });
            }, onRemoved)
          }
        >
          Take out of the case
        </Button>
      </Stack>
      {tag.trim() !== '' && !valid && (
        <Typography variant="caption" color="error">
          A tag is {TAG_HELP}, starting with a letter or digit.
        </Typography>
      )}
      {error && <ErrorNote error={error} title="Not changed" />}
    </Box>
  );
}

function EventNoteDialog({
  caseId,
  event,
  readOnly,
  notes,
  onClose,
  onAdded,
}: {
  caseId: number;
  event: CaseEventDto | null;
  readOnly: boolean;
  notes: Array<{ id: number; author: string; body: string; createdAt: number }>;
  onClose: () => void;
  onAdded: () => void;
}) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const ref = event ? logRef(event.origin, event.index) : '';
  const add = () =>
    call('cases.addNote', { id: caseId, body, eventId: event!.id }).then(
      () => {
        setBody('');
        setError(null);
        onAdded();
      },
      (e: Error) => setError(e),
    );
  return (
    <Dialog open={event !== null} onClose={onClose} maxWidth="sm" fullWidth>
      <DialogTitle>Notes on {ref}</DialogTitle>
      <DialogContent>
        {event && (
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            {fmtTime(event.fields.time)} · {event.fields.action ?? '—'} ·{' '}
            {event.fields.actor ?? '—'}
          </Typography>
        )}
        {notes.map((n) => (
          <Box key={n.id} sx={{ mb: 1, p: 1, bgcolor: 'action.hover', borderRadius: 1 }}>
            <Typography variant="caption" color="text.secondary">
              {n.author} · {fmtTime(n.createdAt, false)}
            </Typography>
            <Markdown text={n.body} />
          </Box>
        ))}
        {!readOnly && (
          <TextField
            autoFocus
            multiline
            fullWidth
            minRows={3}
            label="New note on this event"
            helperText="Markdown"
            value={body}
            onChange={(e) => setBody(e.target.value)}
            sx={{ mt: 1 }}
          />
        )}
        {error && <ErrorNote error={error} title="Not added" />}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{readOnly ? 'Close' : 'Cancel'}</Button>
        {!readOnly && (
          <Button variant="contained" disabled={!body.trim()} onClick={() => void add()}>
            Add note
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
