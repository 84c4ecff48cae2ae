/** Matches over time as bars; a click on a bar narrows the time range to it. */
import { Box, Typography, useTheme } from '@mui/material';
import { fmtBucket, fmtInt, fmtTime } from '../format';

export interface HistogramData {
  bucketMs: number;
  buckets: Array<{ start: number; count: number }>;
}

export function Histogram({
  data,
  height = 90,
  onPick,
  label,
}: {
  data: HistogramData;
  height?: number;
  onPick?: (from: number, to: number) => void;
  label: string;
}) {
  const theme = useTheme();
  const { buckets, bucketMs } = data;
  if (buckets.length === 0) return null;
  const first = buckets[0].start;
  const last = buckets[buckets.length - 1].start;
  const slots = Math.round((last - first) / bucketMs) + 1;
  const max = Math.max(...buckets.map((b) => b.count));
  const width = 1000;
  const w = width / slots;
  return (
    <Box>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        width="100%"
        height={height}
        role="img"
        aria-label={label}
      >
        {buckets.map((b) => {
          const x = ((b.start - first) / bucketMs) * w;
          const h = Math.max(1, (b.count / max) * (height - 4));
          return (
            <rect
              key={b.start}
              x={x}
              y={height - h}
              width={Math.max(1, w - 1)}
              height={h}
              fill={theme.palette.primary.main}
              opacity={0.8}
              style={{ cursor: onPick ? 'pointer' : 'default' }}
              onClick={onPick ? () => onPick(b.start, b.start + bucketMs) : undefined}
            >
              <title>{`${fmtTime(b.start, false)}: ${fmtInt(b.count)}`}</title>
            </rect>
          );
        })}
      </svg>
      <Box sx={{ display: 'flex', justifyContent: 'space-between' }}>
        <Typography variant="caption" color="text.secondary">
          {fmtTime(first, false)}
        </Typography>
        <Typography variant="caption" color="text.secondary">
          bars of {fmtBucket(bucketMs)}
          {onPick ? ' · click a bar to zoom' : ''}
        </Typography>
        <Typography variant="caption" color="text.secondary">
          {fmtTime(last + bucketMs, false)}
        </Typography>
      </Box>
    </Box>
  );
}
