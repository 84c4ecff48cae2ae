/** A case's evidence files, each with its SHA-256 taken as it came in; and a new one. */
import { useRef, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { call, startDownload } from '../api';
import { visuallyHidden } from '../a11y';
import { fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { type CaseDto, fmtBytes, readAsBase64 } from './caseBits';
import { Empty, ErrorNote, Loading } from './Status';

/** What the contract carries for one file (48 MiB of base64). */
const MAX_UPLOAD = 32 * 1024 * 1024;

export function CaseEvidence({
  c,
  version,
  onChanged,
}: {
  c: CaseDto;
  version: number;
  onChanged: () => void;
}) {
  const files = useAsync(() => call('cases.evidence', { id: c.id }), [c.id, version]);
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const closed = c.status === 'closed';

  /** The file out of the cache, re-hashed there first (a file altered at rest is refused). */
  const save = async (evidenceId: number) => {
    setError(null);
    setAdded(null);
    try {
      const r = await call('cases.saveEvidence', { id: c.id, evidenceId });
      if (r.download) {
        startDownload(r.download);
      } else if (r.path) setAdded(`Saved to ${r.path}.`);
    } catch (e) {
      setError(e as Error);
    }
  };

  const attach = async (file: File) => {
    setError(null);
    setAdded(null);
    if (file.size > MAX_UPLOAD) {
      setError(
        new Error(`${file.name} is ${fmtBytes(file.size)}; the console takes files up to 32 MiB`),
      );
      return;
    }
    setBusy(true);
    try {
      const dataBase64 = await readAsBase64(file);
      const f = await call('cases.addEvidence', { id: c.id, name: file.name, dataBase64 });
      setAdded(`${f.name} attached: ${fmtBytes(f.size)}, SHA-256 ${f.sha256}.`);
      onChanged();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
        <Typography variant="body2" color="text.secondary" sx={{ flex: 1 }}>
          Files are hashed with SHA-256 as they come in and kept inside the encrypted cache; an
          export re-checks each hash and carries the file in the bundle.
        </Typography>
        <input
          ref={input}
          type="file"
          aria-label="evidence file to attach"
          tabIndex={-1}
          style={{ display: 'none' }}
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void attach(f);
          }}
        />
        <Button
          variant="outlined"
          disabled={closed || busy}
          onClick={() => input.current?.click()}
          sx={{ flexShrink: 0 }}
        >
          {busy ? 'Attaching…' : 'Attach a file…'}
        </Button>
      </Stack>
      {closed && (
        <Typography variant="body2" color="text.secondary">
          The case is closed: reopen it to attach a file.
        </Typography>
      )}
      {added && (
        <Alert severity="success" onClose={() => setAdded(null)} sx={{ wordBreak: 'break-all' }}>
          {added}
        </Alert>
      )}
      {error && <ErrorNote error={error} title="Not attached" />}
      {files.loading && !files.data && <Loading label="Reading the evidence…" />}
      {files.error && <ErrorNote error={files.error} />}
      {files.data?.length === 0 && <Empty>No evidence files yet.</Empty>}
      {files.data && files.data.length > 0 && (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="evidence files">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell align="right">Size</TableCell>
                <TableCell>SHA-256</TableCell>
                <TableCell>Added by</TableCell>
                <TableCell>Added (UTC)</TableCell>
                <TableCell>
                  <Box component="span" sx={visuallyHidden}>
                    Actions
                  </Box>
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {files.data.map((f) => (
                <TableRow key={f.id} data-evidence={f.name}>
                  <TableCell sx={{ fontWeight: 600, wordBreak: 'break-all' }}>{f.name}</TableCell>
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                    {fmtBytes(f.size)}
                  </TableCell>
                  <TableCell>
                    <Box
                      component="code"
                      data-testid="evidence-sha256"
                      sx={{ fontSize: 12, wordBreak: 'break-all' }}
                    >
                      {f.sha256}
                    </Box>
                  </TableCell>
                  <TableCell>{f.addedBy}</TableCell>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>{fmtTime(f.addedAt, false)}</TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      aria-label={`Save ${f.name}`}
                      onClick={() => void save(f.id)}
                    >
                      Save
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Stack>
  );
}
