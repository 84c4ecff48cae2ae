/** The reports made in this workspace, newest first, each with its SHA-256 and a preview. */
import { visuallyHidden } from '../a11y';
import {
  Box,
  Button,
  Card,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { fmtTime } from '../format';
import type { AsyncState } from '../useAsync';
import { fmtBytes } from './caseBits';
import { ShortSha, templateInfo, type ReportRecord } from './ReportBits';
import { Empty, ErrorNote, Loading } from './Status';

export function ReportHistory({
  history,
  previewing,
  onPreview,
}: {
  history: AsyncState<ReportRecord[]>;
  previewing: number | null;
  onPreview: (r: ReportRecord) => void;
}) {
  const d = history.data;
  return (
    <Box component="section" aria-labelledby="report-history-title">
      <Typography variant="subtitle1" component="h3" id="report-history-title" sx={{ mb: 1 }}>
        History
      </Typography>
      {history.loading && !d && <Loading label="Reading the report history…" />}
      {history.error && <ErrorNote error={history.error} title="The history could not be read" />}
      {d?.length === 0 && (
        <Card variant="outlined">
          <Empty>No reports yet: the reports made here are listed with their SHA-256.</Empty>
        </Card>
      )}
      {d && d.length > 0 && (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="reports made">
            <TableHead>
              <TableRow>
                <TableCell>Made (UTC)</TableCell>
                <TableCell>Template</TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>Period or case</TableCell>
                <TableCell>Title</TableCell>
                <TableCell>Signed by</TableCell>
                <TableCell>SHA-256</TableCell>
                <TableCell align="right">Size</TableCell>
                <TableCell sx={{ position: 'relative' }}>
                  <Box component="span" sx={visuallyHidden}>
                    Actions
                  </Box>
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {d.map((r) => (
                <TableRow
                  key={r.id}
                  data-report={r.id}
                  data-sha256={r.sha256}
                  selected={r.id === previewing}
                >
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>
                    {fmtTime(r.createdAt, false)}
                    <Typography variant="caption" component="div" color="text.secondary">
                      by {r.createdBy}
                    </Typography>
                  </TableCell>
                  <TableCell>{templateInfo(r.template)?.label ?? r.template}</TableCell>
                  <TableCell sx={{ whiteSpace: 'nowrap' }}>
                    {r.period ?? (r.caseId !== null ? `case #${r.caseId}` : '—')}
                  </TableCell>
                  <TableCell sx={{ fontWeight: 600 }}>{r.title}</TableCell>
                  <TableCell>
                    {r.signer ?? (
                      <Box component="span" sx={{ color: 'text.secondary' }}>
                        not signed
                      </Box>
                    )}
                  </TableCell>
                  <TableCell>
                    <ShortSha sha256={r.sha256} what={r.title} />
                  </TableCell>
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                    {fmtBytes(r.size)}
                  </TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      aria-label={`preview ${r.title}, made ${fmtTime(r.createdAt, false)}`}
                      onClick={() => onPreview(r)}
                      aria-pressed={r.id === previewing}
                    >
                      Preview
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Box>
  );
}
