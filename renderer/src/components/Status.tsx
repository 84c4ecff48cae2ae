/** Loading, empty and error states, the same everywhere. */
import { Alert, Box, CircularProgress, Typography } from '@mui/material';
import type { ReactNode } from 'react';

export function Loading({ label }: { label: string }) {
  return (
    <Box role="status" sx={{ display: 'flex', alignItems: 'center', gap: 1, p: 2 }}>
      <CircularProgress size={18} />
      <Typography variant="body2">{label}</Typography>
    </Box>
  );
}

export function ErrorNote({ error, title }: { error: Error; title?: string }) {
  return (
    <Alert severity="error" sx={{ my: 1 }}>
      {title ? <strong>{title}: </strong> : null}
      {error.message}
    </Alert>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="text.secondary" sx={{ p: 2 }}>
      {children}
    </Typography>
  );
}
