/** Settings: the workspace and the theme. */
import {
  Card,
  CardContent,
  FormControlLabel,
  Radio,
  RadioGroup,
  Stack,
  Typography,
} from '@mui/material';
import { call, mode } from '../api';
import { useAsync } from '../useAsync';
import type { ThemeChoice } from '../App';

export function Settings({
  themeChoice,
  setThemeChoice,
}: {
  themeChoice: ThemeChoice;
  setThemeChoice: (t: ThemeChoice) => void;
}) {
  const o = useAsync(() => call('app.overview', {}), []);
  return (
    <Stack spacing={2}>
      <Typography variant="h5" component="h2">
        Settings
      </Typography>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" component="h3">
            Workspace
          </Typography>
          <Typography variant="body2">Cache: {o.data?.cache ?? '…'}</Typography>
          <Typography variant="body2" color="text.secondary">
            The cache is encrypted (SQLCipher 4, AES-256). Running{' '}
            {mode === 'web'
              ? 'in web mode, served on 127.0.0.1 for this session only'
              : 'in the desktop shell'}
            .
          </Typography>
        </CardContent>
      </Card>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" component="h3" id="theme-label">
            Theme
          </Typography>
          <RadioGroup
            row
            aria-labelledby="theme-label"
            value={themeChoice}
            onChange={(e) => setThemeChoice(e.target.value as ThemeChoice)}
          >
            <FormControlLabel value="light" control={<Radio />} label="Light" />
            <FormControlLabel value="dark" control={<Radio />} label="Dark" />
          </RadioGroup>
        </CardContent>
      </Card>
    </Stack>
  );
}
