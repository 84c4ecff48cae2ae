/** A screen's title with the long operation it runs (sync, re-verify): start, and cancel. */
import { Button, Stack, Typography } from '@mui/material';

export function RunHeader({
  title,
  running,
  startLabel,
  runningLabel,
  onStart,
  onCancel,
}: {
  title: string;
  running: boolean;
  startLabel: string;
  runningLabel: string;
  onStart: () => void;
  onCancel: () => void;
}) {
  return (
    <Stack direction="row" sx={{ alignItems: 'center' }}>
      <Typography variant="h5" component="h2" sx={{ flex: 1 }}>
        {title}
      </Typography>
      {running && (
        <Button sx={{ mr: 1 }} onClick={onCancel}>
          Cancel
        </Button>
      )}
      <Button variant="contained" onClick={onStart} disabled={running}>
        {running ? runningLabel : startLabel}
      </Button>
    </Stack>
  );
}
