/**
 * Every segment (bundle of 256 entries) of a log as a small square: verified (inside a signed
 * checkpoint), waiting for its checkpoint, or where the last re-verification found a problem.
 */
import { Box, Stack, Typography, useTheme } from '@mui/material';
import { fmtInt } from '../format';

const SEGMENT = 256;

export function SegmentMap({
  origin,
  entries,
  verifiedSize,
  problemEntries,
}: {
  origin: string;
  entries: number;
  verifiedSize: number;
  problemEntries: number[];
}) {
  const theme = useTheme();
  const segments = Math.ceil(entries / SEGMENT);
  const bad = new Set(problemEntries.map((e) => Math.floor(e / SEGMENT)));
  const perRow = 128;
  const cell = 7;
  const rows = Math.ceil(segments / perRow);
  const color = (k: number) =>
    bad.has(k)
      ? theme.palette.error.main
      : Math.min(entries, (k + 1) * SEGMENT) <= verifiedSize
        ? theme.palette.success.main
        : theme.palette.warning.main;
  const verifiedSegments = Math.min(segments, Math.ceil(verifiedSize / SEGMENT));
  return (
    <Box>
      <Typography variant="body2" sx={{ mb: 0.5 }}>
        {origin}: {fmtInt(segments)} segments, {fmtInt(verifiedSegments)} inside a signed checkpoint
        {bad.size ? `, ${bad.size} with a problem` : ''}
      </Typography>
      <svg
        width={perRow * cell}
        height={rows * cell}
        role="img"
        aria-label={`segment map of ${origin}: ${segments} segments, ${bad.size} with a problem`}
        style={{ maxWidth: '100%' }}
      >
        {Array.from({ length: segments }, (_, k) => (
          <rect
            key={k}
            x={(k % perRow) * cell}
            y={Math.floor(k / perRow) * cell}
            width={cell - 1}
            height={cell - 1}
            fill={color(k)}
          >
            <title>{`segment ${k}: entries ${k * SEGMENT}..${Math.min(entries, (k + 1) * SEGMENT) - 1}`}</title>
          </rect>
        ))}
      </svg>
      <Stack direction="row" spacing={2}>
        {[
          [theme.palette.success.main, 'verified'],
          [theme.palette.warning.main, 'awaiting its checkpoint'],
          [theme.palette.error.main, 'problem found'],
        ].map(([c, label]) => (
          <Stack key={label} direction="row" spacing={0.5} sx={{ alignItems: 'center' }}>
            <Box sx={{ width: 10, height: 10, bgcolor: c }} />
            <Typography variant="caption">{label}</Typography>
          </Stack>
        ))}
      </Stack>
    </Box>
  );
}
