/** The console's frame: navigation, theme, and the screens. */
import { useEffect, useMemo, useState } from 'react';
import {
  AppBar,
  Box,
  CssBaseline,
  Drawer,
  IconButton,
  List,
  ListItem,
  ListItemButton,
  ListItemText,
  ThemeProvider,
  Toolbar,
  Tooltip,
  Typography,
  createTheme,
} from '@mui/material';
import { Overview } from './screens/Overview';
import { Explorer } from './screens/Explorer';
import { Verification } from './screens/Verification';
import { SyncScreen } from './screens/Sync';
import { Settings } from './screens/Settings';
import { Cases } from './screens/Cases';
import { Detections } from './screens/Detections';
import { Journal } from './screens/Journal';
import { Reports } from './screens/Reports';
import { mode } from './api';

export type ScreenName =
  | 'overview'
  | 'explorer'
  | 'detections'
  | 'cases'
  | 'reports'
  | 'sync'
  | 'verification'
  | 'journal'
  | 'settings';
const SCREENS: Array<[ScreenName, string]> = [
  ['overview', 'Overview'],
  ['explorer', 'Explorer'],
  ['detections', 'Detections'],
  ['cases', 'Cases'],
  ['reports', 'Reports'],
  ['sync', 'Sync'],
  ['verification', 'Verification'],
  ['journal', 'Activity journal'],
  ['settings', 'Settings'],
];

const NAV_WIDTH = 200;

function initialScreen(): ScreenName {
  const m = /^#\/(\w+)/.exec(window.location.hash);
  return (SCREENS.find(([s]) => s === m?.[1])?.[0] ?? 'overview') as ScreenName;
}

export type ThemeChoice = 'light' | 'dark';

export function App() {
  const [screen, setScreen] = useState<ScreenName>(initialScreen);
  const [query, setQuery] = useState('');
  const [caseId, setCaseId] = useState<number | null>(null);
  const [themeChoice, setThemeChoice] = useState<ThemeChoice>(
    () =>
      (localStorage.getItem('custos.theme') as ThemeChoice | null) ??
      (window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
  );
  useEffect(() => localStorage.setItem('custos.theme', themeChoice), [themeChoice]);
  useEffect(() => {
    history.replaceState(null, '', `#/${screen}`);
  }, [screen]);

  const theme = useMemo(
    () =>
      createTheme({
        palette: {
          mode: themeChoice,
          primary: { main: themeChoice === 'dark' ? '#7fb2ff' : '#1d4e89' },
          secondary: { main: '#6b5b95' },
          // Status colours dark enough for white text at 4.5:1 (WCAG AA), in both themes.
          error: { main: '#c62828' },
          success: { main: '#2e7d32' },
          warning: { main: '#b45309' },
          background:
            themeChoice === 'dark'
              ? { default: '#111418', paper: '#181c22' }
              : { default: '#f5f6f8', paper: '#ffffff' },
        },
        shape: { borderRadius: 6 },
        typography: { fontSize: 13 },
        components: { MuiButton: { defaultProps: { disableElevation: true } } },
      }),
    [themeChoice],
  );

  /** Opens a case (from a detection's finding or the case list); null goes back to the list. */
  const openCase = (id: number | null) => {
    setCaseId(id);
    setScreen('cases');
  };

  /** Opens the explorer on a query (from the overview, alarms, or a saved search). */
  const explore = (q: string) => {
    setQuery(q);
    setScreen('explorer');
  };

  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      <Box sx={{ display: 'flex', height: '100vh' }}>
        <AppBar position="fixed" sx={{ zIndex: (t) => t.zIndex.drawer + 1 }} color="primary">
          <Toolbar variant="dense">
            <Typography variant="h6" component="h1" sx={{ fontWeight: 600, letterSpacing: 0.5 }}>
              Custos
            </Typography>
            <Typography variant="body2" sx={{ ml: 2, opacity: 0.8 }}>
              compliance console{mode === 'web' ? ' · web mode' : ''}
            </Typography>
            <Box sx={{ flex: 1 }} />
            <Tooltip title={`Switch to ${themeChoice === 'dark' ? 'light' : 'dark'} theme`}>
              <IconButton
                color="inherit"
                aria-label="switch theme"
                onClick={() => setThemeChoice(themeChoice === 'dark' ? 'light' : 'dark')}
              >
                <span aria-hidden="true">{themeChoice === 'dark' ? '☀' : '☾'}</span>
              </IconButton>
            </Tooltip>
          </Toolbar>
        </AppBar>
        <Drawer
          variant="permanent"
          sx={{
            width: NAV_WIDTH,
            flexShrink: 0,
            '& .MuiDrawer-paper': { width: NAV_WIDTH, boxSizing: 'border-box' },
          }}
        >
          <Toolbar variant="dense" />
          <nav aria-label="screens">
            <List dense>
              {SCREENS.map(([name, label]) => (
                <ListItem key={name} disablePadding>
                  <ListItemButton
                    selected={screen === name}
                    onClick={() => {
                      setScreen(name);
                      if (name === 'cases') setCaseId(null);
                    }}
                    aria-current={screen === name ? 'page' : undefined}
                    data-screen={name}
                  >
                    <ListItemText primary={label} />
                  </ListItemButton>
                </ListItem>
              ))}
            </List>
          </nav>
        </Drawer>
        <Box
          component="main"
          sx={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column', overflow: 'auto' }}
        >
          <Toolbar variant="dense" />
          <Box sx={{ flex: 1, minHeight: 0, p: 2, display: 'flex', flexDirection: 'column' }}>
            {screen === 'overview' && <Overview explore={explore} go={setScreen} />}
            {screen === 'explorer' && <Explorer initialQuery={query} onQuery={setQuery} />}
            {screen === 'detections' && <Detections onOpenCase={openCase} />}
            {screen === 'cases' && <Cases openId={caseId} onOpen={openCase} />}
            {screen === 'reports' && <Reports />}
            {screen === 'sync' && <SyncScreen />}
            {screen === 'verification' && <Verification explore={explore} />}
            {screen === 'journal' && <Journal />}
            {screen === 'settings' && (
              <Settings themeChoice={themeChoice} setThemeChoice={setThemeChoice} go={setScreen} />
            )}
          </Box>
        </Box>
      </Box>
    </ThemeProvider>
  );
}
