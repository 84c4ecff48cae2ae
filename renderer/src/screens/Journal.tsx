/**
 * The activity journal: every action taken in this workspace (searches, events opened, exports,
 * cases and their changes), appended to a signed, tamper-evident log of its own; and a check that
 * it is whole.
 */
import {
  Alert,
  Box,
  Button,
  Card,
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
import type { Output } from '../../../shared/ipc/contract';
import { call } from '../api';
import { fmtInt, fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { useRun } from '../useRun';
import { Details } from '../components/caseBits';
import { Empty, ErrorNote, Loading } from '../components/Status';

const LIMIT = 500;

export function Journal() {
  const { running, result, error, run } = useRun<Output<'journal.verify'>>();
  const list = useAsync(() => call('journal.list', { limit: LIMIT }), [result]);
  const d = list.data;
  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        <Typography variant="h5" component="h2" sx={{ flex: 1 }}>
          Activity journal
        </Typography>
        <Button onClick={list.reload} disabled={list.loading}>
          Refresh
        </Button>
        <Button
          variant="contained"
          disabled={running}
          onClick={() => run(() => call('journal.verify', {}))}
        >
          {running ? 'Verifying…' : 'Verify'}
        </Button>
      </Stack>
      <Typography variant="body2" color="text.secondary">
        Every action taken in this workspace is appended to the journal, a log signed with this
        workspace&apos;s own key; a copy of its latest checkpoint is kept beside the cache, so that
        rewriting, truncating or rolling back the journal shows when it is verified.
      </Typography>
      {error && <ErrorNote error={error} title="The journal could not be verified" />}
      {result && <VerifyResult r={result} />}
      {list.loading && !d && <Loading label="Reading the journal…" />}
      {list.error && <ErrorNote error={list.error} title="The journal could not be read" />}
      {d && (
        <Typography variant="body2" data-testid="journal-size">
          {fmtInt(d.size)} {d.size === 1 ? 'entry' : 'entries'}
          {d.origin && (
            <>
              {' '}
              in{' '}
              <Box component="code" sx={{ fontSize: 12 }}>
                {d.origin}
              </Box>
            </>
          )}
          {d.size > d.entries.length && `; the newest ${fmtInt(d.entries.length)} are shown`}.
        </Typography>
      )}
      {d && d.entries.length === 0 && (
        <Card variant="outlined">
          <Empty>Nothing recorded yet: the journal starts with the first action.</Empty>
        </Card>
      )}
      {d && d.entries.length > 0 && (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="journal entries">
            <TableHead>
              <TableRow>
                <TableCell align="right">#</TableCell>
                <TableCell>Time (UTC)</TableCell>
                <TableCell>Officer</TableCell>
                <TableCell>Action</TableCell>
                <TableCell>Details</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {d.entries.map((e) => (
                <TableRow key={e.index} data-action={e.action}>
                  <TableCell align="right" sx={{ color: 'text.secondary', verticalAlign: 'top' }}>
                    {e.index}
                  </TableCell>
                  <TableCell sx={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>
                    {fmtTime(e.time)}
                  </TableCell>
                  <TableCell sx={{ verticalAlign: 'top' }}>{e.officer}</TableCell>
                  <TableCell sx={{ fontWeight: 600, whiteSpace: 'nowrap', verticalAlign: 'top' }}>
                    {e.action}
                  </TableCell>
                  <TableCell sx={{ fontSize: 12 }}>
                    <Details detail={e.details} />
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

function VerifyResult({ r }: { r: Output<'journal.verify'> }) {
  if (r.ok)
    return (
      <Alert severity="success" data-testid="journal-verify">
        The journal verifies: {fmtInt(r.size)} {r.size === 1 ? 'entry' : 'entries'}, each in the
        signed tree, signed by this workspace&apos;s journal key, and consistent with the checkpoint
        kept beside the cache. Nothing was removed or rewritten.
      </Alert>
    );
  return (
    <Alert severity="error" data-testid="journal-verify">
      <strong>
        The journal does not verify: {r.problems.length}{' '}
        {r.problems.length === 1 ? 'problem' : 'problems'}.
      </strong>{' '}
      It may have been altered, truncated or rolled back. Keep the cache and the checkpoint file
      beside it as they are, and report this.
      <Box component="ul" sx={{ my: 0.5, pl: 2.5 }}>
        {r.problems.map((p, i) => (
          <li key={i}>{p}</li>
        ))}
      </Box>
    </Alert>
  );
}
