/**
 * Cases: what investigators are working on, a new case, and a case bundle brought in from another
 * workspace (checked in full before anything is stored). A case opens in the case view.
 */
import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Link,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import type { Output } from '../../../shared/ipc/contract';
import { call } from '../api';
import { fmtAgo, fmtInt, fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { CaseStatusChip } from '../components/caseBits';
import { CaseFormDialog } from '../components/CaseFormDialog';
import { Empty, ErrorNote, Loading } from '../components/Status';
import { CaseView } from './CaseView';

export function Cases({
  openId,
  onOpen,
}: {
  openId: number | null;
  onOpen: (id: number | null) => void;
}) {
  if (openId !== null) return <CaseView id={openId} onBack={() => onOpen(null)} />;
  return <CaseList onOpen={onOpen} />;
}

function CaseList({ onOpen }: { onOpen: (id: number) => void }) {
  const cases = useAsync(() => call('cases.list', {}), []);
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <Typography variant="h5" component="h2" sx={{ flex: 1 }}>
          Cases
        </Typography>
        <Button onClick={() => setImporting(true)}>Import a case bundle</Button>
        <Button variant="contained" onClick={() => setCreating(true)}>
          New case
        </Button>
      </Stack>
      <Typography variant="body2" color="text.secondary">
        A case keeps the events that matter with their proofs, your tags and notes, evidence files
        hashed as they come in, and a record of every change. Closed cases are read-only until
        reopened.
      </Typography>
      {cases.loading && !cases.data && <Loading label="Reading the cases…" />}
      {cases.error && <ErrorNote error={cases.error} title="The cases could not be read" />}
      {cases.data?.length === 0 && (
        <Card variant="outlined">
          <Empty>
            No cases yet. Start one with New case, from a detection&apos;s finding, or from events
            selected in the Explorer (Add to case…).
          </Empty>
        </Card>
      )}
      {cases.data && cases.data.length > 0 && (
        <Card variant="outlined">
          <Table size="small" aria-label="cases">
            <TableHead>
              <TableRow>
                <TableCell>Title</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Owner</TableCell>
                <TableCell align="right">Events</TableCell>
                <TableCell align="right">Notes</TableCell>
                <TableCell align="right">Evidence</TableCell>
                <TableCell>Changed (UTC)</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {cases.data.map((c) => (
                <TableRow
                  key={c.id}
                  hover
                  onClick={() => onOpen(c.id)}
                  sx={{ cursor: 'pointer' }}
                  data-case={c.id}
                >
                  <TableCell sx={{ maxWidth: 420 }}>
                    <Link
                      component="button"
                      variant="body2"
                      underline="hover"
                      onClick={(e) => {
                        e.stopPropagation();
                        onOpen(c.id);
                      }}
                      sx={{ fontWeight: 600, textAlign: 'left' }}
                    >
                      {c.title}
                    </Link>
                    {c.importedAt !== null && (
                      <Typography variant="caption" color="text.secondary" component="div">
                        imported {fmtTime(c.importedAt, false)}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    <CaseStatusChip status={c.status} />
                  </TableCell>
                  <TableCell>{c.owner}</TableCell>
                  <TableCell align="right">{fmtInt(c.events)}</TableCell>
                  <TableCell align="right">{fmtInt(c.notes)}</TableCell>
                  <TableCell align="right">{fmtInt(c.evidence)}</TableCell>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>
                    {fmtTime(c.changedAt, false)}
                    <Typography variant="caption" color="text.secondary" component="div">
                      {fmtAgo(c.changedAt)}
                    </Typography>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
      <CaseFormDialog
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={(c) => {
          setCreating(false);
          onOpen(c.id);
        }}
      />
      <ImportDialog
        open={importing}
        onClose={() => {
          setImporting(false);
          cases.reload();
        }}
        onOpen={onOpen}
      />
    </Stack>
  );
}

/** A bundle folder, checked in full (bag, proofs, checkpoints) before the case is stored. */
function ImportDialog({
  open,
  onClose,
  onOpen,
}: {
  open: boolean;
  onClose: () => void;
  onOpen: (id: number) => void;
}) {
  const [dir, setDir] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [result, setResult] = useState<Output<'cases.import'> | null>(null);
  const close = () => {
    setError(null);
    setResult(null);
    setDir('');
    onClose();
  };
  const run = () => {
    setBusy(true);
    setError(null);
    setResult(null);
    call('cases.import', { dir: dir.trim() }).then(
      (r) => {
        setBusy(false);
        setResult(r);
      },
      (e: Error) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  return (
    <Dialog open={open} onClose={close} maxWidth="md" fullWidth>
      <DialogTitle>Import a case bundle</DialogTitle>
      <DialogContent>
        <Typography variant="body2" sx={{ mb: 2 }}>
          A case bundle is the folder another workspace exported (a BagIt bag). Every file&apos;s
          checksum, every event&apos;s inclusion proof and every checkpoint is checked before the
          case is stored; a bundle that fails any check is refused and nothing is kept.
        </Typography>
        <TextField
          autoFocus
          fullWidth
          size="small"
          label="Bundle folder"
          placeholder="/home/me/exports/case-3-night-bulk-export-2026-09-01-10-00-00"
          value={dir}
          onChange={(e) => {
            setDir(e.target.value);
            setResult(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && dir.trim() && !busy) run();
          }}
          slotProps={{ htmlInput: { spellCheck: false } }}
        />
        {busy && <Loading label="Checking the bundle…" />}
        {error && <ErrorNote error={error} title="Refused" />}
        {result && <ImportResult result={result} />}
      </DialogContent>
      <DialogActions>
        {result && (
          <Button
            onClick={() => {
              close();
              onOpen(result.caseId);
            }}
          >
            Open the case
          </Button>
        )}
        <Button onClick={close}>{result ? 'Done' : 'Cancel'}</Button>
        {!result && (
          <Button variant="contained" disabled={busy || !dir.trim()} onClick={run}>
            Import
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}

function ImportResult({ result: r }: { result: Output<'cases.import'> }) {
  return (
    <Box sx={{ mt: 2 }} data-testid="import-result">
      <Alert severity={r.trustedByBundleOnly.length === 0 ? 'success' : 'warning'}>
        Imported and verified: “{r.title}”, {fmtInt(r.events)} {r.events === 1 ? 'event' : 'events'}{' '}
        and {fmtInt(r.evidence)} evidence {r.evidence === 1 ? 'file' : 'files'}. Every checksum and
        inclusion proof in the bundle verified.
      </Alert>
      {r.trustedByWorkspace.length > 0 && (
        <Box sx={{ mt: 1.5 }}>
          <Typography variant="subtitle2">
            Verified against this workspace&apos;s trust policy
          </Typography>
          <Box component="ul" sx={{ my: 0.5, pl: 3 }}>
            {r.trustedByWorkspace.map((o) => (
              <li key={o}>
                <Typography variant="body2">{o}</Typography>
              </li>
            ))}
          </Box>
        </Box>
      )}
      {r.trustedByBundleOnly.length > 0 && (
        <Box sx={{ mt: 1.5 }}>
          <Typography variant="subtitle2">
            Verified only against the bundle&apos;s own trust policy
          </Typography>
          <Typography variant="body2" color="text.secondary">
            This workspace does not trust these log keys: the proofs are consistent, but only the
            bundle vouches for the key. Compare the key with one you trust before relying on it.
          </Typography>
          <Box component="ul" sx={{ my: 0.5, pl: 3 }}>
            {r.trustedByBundleOnly.map((t) => (
              <li key={`${t.origin} ${t.key}`}>
                <Typography variant="body2">
                  {t.origin}{' '}
                  <Box
                    component="span"
                    sx={{ fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' }}
                  >
                    {t.key}
                  </Box>
                </Typography>
              </li>
            ))}
          </Box>
        </Box>
      )}
    </Box>
  );
}
