/** A case's title, description (Markdown) and period: for a new case, or to edit one. */
import { useEffect, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { call } from '../api';
import { type CaseDto, parseUtc, utcInput } from './caseBits';
import { ErrorNote } from './Status';

export function CaseFormDialog({
  open,
  existing,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** The case to edit; none for a new case. */
  existing?: CaseDto;
  onClose: () => void;
  onSaved: (c: CaseDto) => void;
}) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (!open) return;
    setTitle(existing?.title ?? '');
    setDescription(existing?.description ?? '');
    setFrom(utcInput(existing?.periodFrom ?? null));
    setTo(utcInput(existing?.periodTo ?? null));
    setError(null);
  }, [open, existing]);

  const save = () => {
    setBusy(true);
    setError(null);
    // A period the form did not change keeps its milliseconds (the field shows whole seconds).
    const period = (value: string, old: number | null) =>
      existing && value === utcInput(old) ? old : parseUtc(value);
    const fields = {
      title: title.trim(),
      description,
      periodFrom: period(from, existing?.periodFrom ?? null),
      periodTo: period(to, existing?.periodTo ?? null),
    };
    (existing
      ? call('cases.update', { id: existing.id, ...fields })
      : call('cases.create', fields)
    ).then(
      (c) => {
        setBusy(false);
        onSaved(c);
      },
      (e: Error) => {
        setBusy(false);
        setError(e);
      },
    );
  };

  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth>
      <DialogTitle>{existing ? 'Edit the case' : 'New case'}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField
            autoFocus
            required
            size="small"
            label="Title"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            slotProps={{ htmlInput: { maxLength: 200 } }}
          />
          <TextField
            multiline
            minRows={4}
            maxRows={14}
            label="Description"
            helperText="Markdown: **bold**, _italic_, lists, `code`. Links are shown as text; images and HTML are not loaded."
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
          <div>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
              Period under investigation (optional, UTC)
            </Typography>
            <Stack direction="row" spacing={2}>
              <TextField
                size="small"
                type="datetime-local"
                label="From (UTC)"
                value={from}
                onChange={(e) => setFrom(e.target.value)}
                slotProps={{ inputLabel: { shrink: true }, htmlInput: { step: 1 } }}
                sx={{ flex: 1 }}
              />
              <TextField
                size="small"
                type="datetime-local"
                label="To (UTC)"
                value={to}
                onChange={(e) => setTo(e.target.value)}
                slotProps={{ inputLabel: { shrink: true }, htmlInput: { step: 1 } }}
                sx={{ flex: 1 }}
              />
            </Stack>
          </div>
          {error && <ErrorNote error={error} title="Not saved" />}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={busy || !title.trim()} onClick={save}>
          {existing ? 'Save' : 'Create case'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
