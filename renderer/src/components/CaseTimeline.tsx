/**
 * A case on one time axis: what happened (its events) and what the investigators did (notes,
 * evidence, activity), oldest first. Each kind has its own mark and colour and is named in words.
 */
import { useState } from 'react';
import { Box, Stack, ToggleButton, ToggleButtonGroup, Typography, useTheme } from '@mui/material';
import type { Output } from '../../../shared/ipc/contract';
import { call } from '../api';
import { fmtInt } from '../format';
import { useAsync } from '../useAsync';
import { Empty, ErrorNote, Loading } from './Status';

type Kind = Output<'cases.timeline'>[number]['kind'];
const KINDS: Kind[] = ['event', 'note', 'evidence', 'activity'];
const KIND_NAME: Record<Kind, string> = {
  event: 'Event',
  note: 'Note',
  evidence: 'Evidence',
  activity: 'Activity',
};
const KIND_MARK: Record<Kind, string> = { event: '◆', note: '✎', evidence: '▣', activity: '●' };

export function CaseTimeline({ id, version }: { id: number; version: number }) {
  const theme = useTheme();
  const items = useAsync(() => call('cases.timeline', { id }), [id, version]);
  const [kinds, setKinds] = useState<Kind[]>(KINDS);
  const dark = theme.palette.mode === 'dark';
  // Each readable as text at 4.5:1 on the paper of its theme (WCAG AA).
  const colour: Record<Kind, string> = {
    event: theme.palette.primary.main,
    note: dark ? '#c9b8f0' : '#6b5b95',
    evidence: dark ? '#7fd08a' : '#2e7d32',
    activity: theme.palette.text.secondary,
  };
  if (items.loading && !items.data) return <Loading label="Drawing the timeline…" />;
  if (items.error) return <ErrorNote error={items.error} />;
  const all = items.data ?? [];
  const shown = all.filter((i) => kinds.includes(i.kind));
  const count = (k: Kind) => all.filter((i) => i.kind === k).length;

  let lastDay = '';
  return (
    <Stack spacing={2}>
      <ToggleButtonGroup
        size="small"
        value={kinds}
        onChange={(_, v: Kind[]) => setKinds(v)}
        aria-label="kinds shown"
      >
        {KINDS.map((k) => (
          <ToggleButton key={k} value={k} sx={{ gap: 0.75, textTransform: 'none' }}>
            <Box component="span" aria-hidden="true" sx={{ color: colour[k] }}>
              {KIND_MARK[k]}
            </Box>
            {KIND_NAME[k]} ({fmtInt(count(k))})
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      {shown.length === 0 && <Empty>Nothing to show on the timeline.</Empty>}
      <Box component="ol" aria-label="case timeline" sx={{ listStyle: 'none', m: 0, p: 0 }}>
        {shown.map((item) => {
          const iso = new Date(item.time).toISOString();
          const day = iso.slice(0, 10);
          const newDay = day !== lastDay;
          lastDay = day;
          return (
            <Box
              component="li"
              key={`${item.kind}-${item.ref}-${item.time}`}
              data-kind={item.kind}
              sx={{
                display: 'grid',
                gridTemplateColumns: '96px 28px 1fr',
                alignItems: 'stretch',
              }}
            >
              <Box sx={{ textAlign: 'right', pr: 1, pt: newDay ? 3.5 : 0.75 }}>
                <Typography
                  variant="caption"
                  color="text.secondary"
                  sx={{ fontFamily: 'monospace' }}
                >
                  {iso.slice(11, 19)}
                </Typography>
              </Box>
              <Box sx={{ position: 'relative', display: 'flex', justifyContent: 'center' }}>
                <Box
                  aria-hidden="true"
                  sx={{ position: 'absolute', top: 0, bottom: 0, width: 2, bgcolor: 'divider' }}
                />
                <Box
                  aria-hidden="true"
                  sx={{
                    position: 'relative',
                    mt: newDay ? 3.25 : 0.5,
                    width: 22,
                    height: 22,
                    borderRadius: '50%',
                    bgcolor: 'background.paper',
                    border: 2,
                    borderColor: colour[item.kind],
                    color: colour[item.kind],
                    fontSize: 11,
                    lineHeight: '18px',
                    textAlign: 'center',
                  }}
                >
                  {KIND_MARK[item.kind]}
                </Box>
              </Box>
              <Box sx={{ pl: 1, pb: 1 }}>
                {newDay && (
                  <Typography
                    variant="overline"
                    component="div"
                    color="text.secondary"
                    sx={{ lineHeight: '28px' }}
                  >
                    {day}
                  </Typography>
                )}
                <Stack direction="row" spacing={1} sx={{ alignItems: 'baseline', pt: 0.5 }}>
                  <Typography
                    variant="caption"
                    sx={{
                      color: colour[item.kind],
                      fontWeight: 700,
                      textTransform: 'uppercase',
                      letterSpacing: 0.5,
                      minWidth: 64,
                    }}
                  >
                    {KIND_NAME[item.kind]}
                  </Typography>
                  <Typography variant="body2" sx={{ overflowWrap: 'anywhere' }}>
                    {item.label}
                  </Typography>
                </Stack>
              </Box>
            </Box>
          );
        })}
      </Box>
    </Stack>
  );
}
