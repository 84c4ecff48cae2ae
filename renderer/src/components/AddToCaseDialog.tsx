/**
 * "Add to case…": bookmarks some cached entries into a case that is not closed, or into a new one,
 * and says what happened ("3 added, 1 already in the case").
 */
import { useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  MenuItem,
  Radio,
  RadioGroup,
  TextField,
  Typography,
} from '@mui/material';
import { call } from '../api';
import { fmtInt } from '../format';
import { useAsync } from '../useAsync';
import { STATUS_LABEL } from './caseBits';
import { ErrorNote } from './Status';

export function AddToCaseDialog({
  open,
  entryIds,
  reason,
  suggestedTitle,
  onClose,
  onOpenCase,
}: {
  open: boolean;
  /** The cache's entry ids to bookmark. */
  entryIds: number[];
  /** Why they are added (kept with each event), e.g. `detection:<rule>`. */
  reason?: string;
  suggestedTitle?: string;
  onClose: () => void;
  /** When given, the result offers to open the case. */
  onOpenCase?: (id: number) => void;
}) {
  const cases = useAsync(() => (open ? call('cases.list', {}) : Promise.resolve([])), [open]);
  const writable = (cases.data ?? []).filter((c) => c.status !== 'closed');
  const [choice, setChoice] = useState<'existing' | 'new'>('existing');
  const [caseId, setCaseId] = useState<number | ''>('');
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [done, setDone] = useState<{ caseId: number; text: string } | null>(null);

  useEffect(() => {
    if (!open) return;
    setTitle(suggestedTitle ?? '');
    setError(null);
    setDone(null);
    setCaseId('');
  }, [open, suggestedTitle]);
  useEffect(() => {
    if (!cases.data) return;
    setChoice(writable.length > 0 ? 'existing' : 'new');
    setCaseId((id) => (id === '' && writable.length > 0 ? writable[0].id : id));
    // Only when the list arrives.
  }, [cases.data]);

  const n = entryIds.length;
  const add = () => {
    setBusy(true);
    setError(null);
    const work =
      choice === 'new'
        ? call('cases.create', { title: title.trim(), entryIds, reason }).then((c) => ({
            caseId: c.id,
            text: `Case “${c.title}” created with ${fmtInt(c.events)} ${c.events === 1 ? 'event' : 'events'}.`,
          }))
        : call('cases.addEvents', { id: caseId as number, entryIds, reason }).then((r) => ({
            caseId: caseId as number,
            text: `${fmtInt(r.added)} added${r.already ? `, ${fmtInt(r.already)} already in the case` : ''}.`,
          }));
    work.then(
      (d) => {
        setBusy(false);
        setDone(d);
      },
      (e: Error) => {
        setBusy(false);
        setError(e);
      },
    );
  };

  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth>
      <DialogTitle>Add to case</DialogTitle>
      <DialogContent>
        <Typography variant="body2" sx={{ mb: 1 }}>
          {fmtInt(n)} {n === 1 ? 'event' : 'events'} to bookmark. Each keeps its own copy of the
          entry as logged, so the case holds even if the cache changes.
        </Typography>
        <RadioGroup
          value={choice}
          onChange={(e) => setChoice(e.target.value as 'existing' | 'new')}
          aria-label="where to add"
        >
          <FormControlLabel
            value="existing"
            control={<Radio size="small" />}
            label="An existing case"
            disabled={writable.length === 0 || !!done}
          />
          {choice === 'existing' && (
            <TextField
              select
              size="small"
              label="Case"
              value={caseId}
              onChange={(e) => setCaseId(Number(e.target.value))}
              disabled={!!done}
              sx={{ ml: 4, mb: 1 }}
              helperText="Closed cases are not listed: reopen one to add to it."
            >
              {writable.map((c) => (
                <MenuItem key={c.id} value={c.id}>
                  #{c.id} {c.title} · {STATUS_LABEL[c.status]} · {fmtInt(c.events)} events
                </MenuItem>
              ))}
            </TextField>
          )}
          <FormControlLabel
            value="new"
            control={<Radio size="small" />}
            label="A new case"
            disabled={!!done}
          />
          {choice === 'new' && (
            <TextField
              size="small"
              label="Title of the new case"
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              disabled={!!done}
              sx={{ ml: 4 }}
              slotProps={{ htmlInput: { maxLength: 200 } }}
            />
          )}
        </RadioGroup>
        {cases.error && <ErrorNote error={cases.error} title="The cases could not be listed" />}
        {error && <ErrorNote error={error} title="Not added" />}
        {done && (
          <Alert severity="success" sx={{ mt: 2 }} data-testid="add-to-case-result">
            {done.text}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        {done && onOpenCase && (
          <Button onClick={() => onOpenCase(done.caseId)}>Open the case</Button>
        )}
        <Button onClick={onClose}>{done ? 'Done' : 'Cancel'}</Button>
        {!done && (
          <Button
            variant="contained"
            disabled={busy || n === 0 || (choice === 'new' ? !title.trim() : caseId === '')}
            onClick={add}
          >
            {choice === 'new' ? 'Create case' : 'Add'}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
