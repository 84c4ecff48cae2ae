/** A case's custody log: who did what to it, and when, from its creation (or import) on. */
import {
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { call } from '../api';
import { fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { Details } from './caseBits';
import { Empty, ErrorNote, Loading } from './Status';

export function CaseActivity({ id, version }: { id: number; version: number }) {
  const log = useAsync(() => call('cases.custody', { id }), [id, version]);
  if (log.loading && !log.data) return <Loading label="Reading the case's activity…" />;
  if (log.error) return <ErrorNote error={log.error} />;
  if (log.data?.length === 0) return <Empty>No activity recorded.</Empty>;
  return (
    <>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1.5 }}>
        Every change to the case is recorded here, and travels with it when it is exported.
      </Typography>
      <TableContainer component={Paper} variant="outlined">
        <Table size="small" aria-label="case activity">
          <TableHead>
            <TableRow>
              <TableCell>When (UTC)</TableCell>
              <TableCell>Who</TableCell>
              <TableCell>What</TableCell>
              <TableCell>Details</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {log.data?.map((r) => (
              <TableRow key={r.id} data-custody={r.what}>
                <TableCell sx={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>
                  {fmtTime(r.at, false)}
                </TableCell>
                <TableCell sx={{ verticalAlign: 'top' }}>{r.who}</TableCell>
                <TableCell sx={{ fontWeight: 600, whiteSpace: 'nowrap', verticalAlign: 'top' }}>
                  {r.what}
                </TableCell>
                <TableCell sx={{ fontSize: 12 }}>
                  <Details detail={r.detail} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </>
  );
}
