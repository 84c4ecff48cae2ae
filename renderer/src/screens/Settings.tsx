/** Settings: the workspace and the theme. */
import {
  Button,
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
import type { ScreenName, ThemeChoice } from '../App';
import { fmtAgo } from '../format';

export function Settings({
  themeChoice,
  setThemeChoice,
  go,
}: {
  themeChoice: ThemeChoice;
  setThemeChoice: (t: ThemeChoice) => void;
  go: (s: ScreenName) => void;
}) {
  const o = useAsync(() => call('app.overview', {}), []);
  const trust = useAsync(() => call('trust.get', {}), []);
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
          <Typography variant="body2" color="text.secondary">
            {mode === 'web'
              ? 'To work on another workspace, stop this server and run custos serve --cache <file> with that cache’s key.'
              : 'To work on another workspace, use File › Open Workspace… (Ctrl+O): choose its cache and the file holding its key; the key is kept in the system keychain.'}
          </Typography>
        </CardContent>
      </Card>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="subtitle1" component="h3">
            Sources
          </Typography>
          {o.data && o.data.sources.length === 0 && (
            <Typography variant="body2">No source yet.</Typography>
          )}
          <ul style={{ margin: '4px 0', paddingLeft: 20 }}>
            {o.data?.sources.map((s) => (
              <li key={s.id}>
                <Typography variant="body2" sx={{ wordBreak: 'break-all' }}>
                  {s.location}{' '}
                  <Typography component="span" variant="caption" color="text.secondary">
                    ({s.origin ?? 'log not known yet'}, last sync {fmtAgo(s.lastSyncAt)})
                  </Typography>
                </Typography>
              </li>
            ))}
          </ul>
          <Typography variant="subtitle1" component="h3" sx={{ mt: 1 }}>
            Trust policy
          </Typography>
          <Typography variant="body2">
            {trust.data
              ? trust.data.text === null
                ? 'None yet: no checkpoint can be accepted until one is set.'
                : `Trusts ${trust.data.logs.length} log key${trust.data.logs.length === 1 ? '' : 's'} and ${trust.data.witnesses.length} witness${trust.data.witnesses.length === 1 ? '' : 'es'}${trust.data.quorum ? `; quorum ${trust.data.quorum}` : ''}.`
              : '…'}
          </Typography>
          <Button size="small" sx={{ mt: 1 }} onClick={() => go('sync')}>
            Add, edit or test sources and the trust policy
          </Button>
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
