/**
 * The explorer: a query bar with syntax help and field completion, a time range, the histogram of
 * matches (click a bar to zoom), facets (click a value to filter), and a grid that scrolls through
 * millions of results (pages fetched on demand: by cursor while scrolling on, by position when
 * the scroll bar jumps). A row opens the event with its proof.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  List,
  ListItem,
  ListItemButton,
  ListItemText,
  Menu,
  MenuItem,
  Paper,
  Stack,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
  useTheme,
} from '@mui/material';
import { AgGridReact } from 'ag-grid-react';
import {
  AllCommunityModule,
  ModuleRegistry,
  colorSchemeDark,
  themeQuartz,
  type ColDef,
  type GridApi,
  type IDatasource,
} from 'ag-grid-community';
import { SEARCH_FIELDS } from '../../../shared/query/fields';
import type { SearchRowDto } from '../../../shared/ipc/contract';
import { ApiError, call, startDownload } from '../api';
import { fmtInt, fmtTime } from '../format';
import { useAsync } from '../useAsync';
import { Histogram } from '../components/Histogram';
import { EventDrawer } from '../components/EventDrawer';
import { AddToCaseDialog } from '../components/AddToCaseDialog';
import { Empty, ErrorNote } from '../components/Status';

ModuleRegistry.registerModules([AllCommunityModule]);

const FACETS = ['action', 'actor', 'outcome', 'source', 'ip', 'severity', 'category'];
const RANGES: Array<[string, string, number | null]> = [
  ['all', 'All time', null],
  ['24h', 'Last 24 h', 86_400_000],
  ['7d', 'Last 7 days', 7 * 86_400_000],
  ['30d', 'Last 30 days', 30 * 86_400_000],
];

/** A value as a query term: quoted, with quotes and backslashes escaped. */
const quote = (v: string) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
/** A time as the query language writes it, to the millisecond (UTC). */
const isoMs = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '');

interface TimeRange {
  key: string;
  /** For 'custom': times in the query language (2026-08-14, 2026-08-14T02:00, now-7d), or ''. */
  from?: string;
  to?: string;
}

function effectiveQuery(query: string, range: TimeRange): string {
  const q = query.trim();
  let time = '';
  if (range.key !== 'all') {
    const rel = RANGES.find(([k]) => k === range.key);
    if (rel?.[2])
      time = `time:>=now-${rel[2] / 86_400_000 >= 1 ? `${rel[2] / 86_400_000}d` : '24h'}`;
    if (range.key === 'custom' && (range.from?.trim() || range.to?.trim()))
      time = `time:[${range.from?.trim() || '*'} TO ${range.to?.trim() || '*'}]`;
  }
  if (!time) return q;
  return q ? `(${q}) AND ${time}` : time;
}

const COLUMNS: Array<ColDef<SearchRowDto> & { field: keyof SearchRowDto }> = [
  {
    field: 'time',
    headerName: 'Time (UTC)',
    width: 205,
    valueFormatter: (p) => fmtTime(p.value ?? null),
  },
  { field: 'index', headerName: 'Index', width: 90 },
  { field: 'source', headerName: 'Source', width: 150 },
  { field: 'action', headerName: 'Action', width: 190 },
  { field: 'outcome', headerName: 'Outcome', width: 100 },
  { field: 'actor', headerName: 'Actor', width: 150 },
  { field: 'actorRole', headerName: 'Role', width: 130, hide: true },
  { field: 'ip', headerName: 'IP', width: 140 },
  { field: 'target', headerName: 'Target', width: 190 },
  { field: 'subject', headerName: 'Subject', width: 130 },
  { field: 'severity', headerName: 'Severity', width: 100 },
  { field: 'category', headerName: 'Category', width: 120, hide: true },
  { field: 'log', headerName: 'Log', width: 200, hide: true },
];

export function Explorer({
  initialQuery,
  onQuery,
}: {
  initialQuery: string;
  onQuery: (q: string) => void;
}) {
  const theme = useTheme();
  const [draft, setDraft] = useState(initialQuery);
  const [query, setQuery] = useState(initialQuery);
  const [range, setRange] = useState<TimeRange>({ key: 'all' });
  const [openId, setOpenId] = useState<number | null>(null);
  const [selectedIds, setSelectedIds] = useState<number[]>([]);
  const [addingToCase, setAddingToCase] = useState(false);
  const [help, setHelp] = useState(false);
  const [saving, setSaving] = useState(false);
  const [savedMenu, setSavedMenu] = useState<HTMLElement | null>(null);
  const [columnsMenu, setColumnsMenu] = useState<HTMLElement | null>(null);
  const [exportMenu, setExportMenu] = useState<HTMLElement | null>(null);
  const [exported, setExported] = useState<{ ok: boolean; text: string } | null>(null);
  const [hidden, setHidden] = useState(
    () => new Set(COLUMNS.filter((c) => c.hide).map((c) => c.field)),
  );
  const gridApi = useRef<GridApi<SearchRowDto> | null>(null);
  const input = useRef<HTMLInputElement>(null);

  // "/" puts the cursor in the search box, as in most log tools.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.key === '/' && !target?.closest('input, textarea, [role="dialog"]')) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const q = effectiveQuery(query, range);
  // A new search starts a new selection.
  useEffect(() => {
    gridApi.current?.deselectAll();
    setSelectedIds([]);
  }, [q]);
  // Each search is remembered (history, activity journal) with its own count, once it is known.
  const total = useAsync(
    () =>
      call('search.count', { query: q }).then((n) => {
        void call('search.remember', { query: q, total: n }).catch(() => {});
        return n;
      }),
    [q],
  );
  const histogram = useAsync(() => call('search.histogram', { query: q, target: 120 }), [q]);
  const facets = useAsync(() => call('search.facets', { query: q, fields: FACETS, limit: 6 }), [q]);
  const saved = useAsync(() => call('search.saved.list', {}), [saving, savedMenu]);
  const history = useAsync(() => call('search.history', { limit: 10 }), [savedMenu]);

  const run = (text: string) => {
    setQuery(text);
    setDraft(text);
    onQuery(text);
  };
  const addTerm = (term: string) => run(query.trim() ? `${query.trim()} AND ${term}` : term);

  // Pages for the grid: continue from the previous block's cursor when scrolling on, jump by
  // position when the scroll bar is dragged far.
  const datasource = useMemo<IDatasource>(() => {
    const cursors = new Map<number, { key: number | null; id: number }>();
    return {
      getRows: (params) => {
        const limit = params.endRow - params.startRow;
        const after = cursors.get(params.startRow);
        call('search.page', {
          query: q,
          limit,
          ...(after ? { after } : { offset: params.startRow }),
        }).then(
          (page) => {
            if (page.next) cursors.set(params.startRow + page.rows.length, page.next);
            const last = page.next ? -1 : params.startRow + page.rows.length;
            params.successCallback(page.rows, last);
          },
          () => params.failCallback(),
        );
      },
    };
  }, [q]);

  const queryError =
    total.error instanceof ApiError && total.error.error.kind === 'query' ? total.error : null;
  const currentWord = /([A-Za-z_.@]+)$/.exec(draft)?.[1] ?? '';
  const suggestions =
    currentWord.length >= 1
      ? SEARCH_FIELDS.filter((f) => f.name.startsWith(currentWord) && f.name !== currentWord).slice(
          0,
          6,
        )
      : [];

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5, flex: 1, minHeight: 0 }}>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
        <Box sx={{ flex: 1 }}>
          <TextField
            inputRef={input}
            fullWidth
            size="small"
            label="Search"
            placeholder='e.g. action:customer.export AND time:[2026-08-14 TO 2026-08-15] or "DSR-2026-0147"'
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') run(draft);
            }}
            error={!!queryError}
            helperText={
              queryError
                ? queryError.message
                : 'Field terms (actor:u-1042), "phrases", wildcards, ranges, AND / OR / NOT. Enter runs the search; / comes back here.'
            }
            slotProps={{ htmlInput: { 'aria-label': 'search query', spellCheck: false } }}
          />
          {suggestions.length > 0 && (
            <Stack direction="row" spacing={0.5} sx={{ mt: 0.5 }} aria-label="field suggestions">
              {suggestions.map((f) => (
                <Chip
                  key={f.name}
                  size="small"
                  variant="outlined"
                  label={`${f.name}: ${f.description}`}
                  onClick={() => {
                    setDraft(draft.slice(0, draft.length - currentWord.length) + f.name + ':');
                    input.current?.focus();
                  }}
                />
              ))}
            </Stack>
          )}
        </Box>
        <Button variant="contained" onClick={() => run(draft)}>
          Search
        </Button>
        <Button onClick={() => setHelp(true)}>Syntax</Button>
        <Button onClick={(e) => setSavedMenu(e.currentTarget)}>Saved</Button>
        <Button onClick={() => setSaving(true)} disabled={!query.trim()}>
          Save
        </Button>
      </Stack>

      <Stack
        direction="row"
        spacing={2}
        useFlexGap
        sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}
      >
        <ToggleButtonGroup
          size="small"
          exclusive
          value={range.key}
          onChange={(_, key: string | null) => key && setRange({ key })}
          aria-label="time range"
        >
          {RANGES.map(([k, label]) => (
            <ToggleButton key={k} value={k} sx={{ whiteSpace: 'nowrap' }}>
              {label}
            </ToggleButton>
          ))}
          <ToggleButton value="custom">Custom</ToggleButton>
        </ToggleButtonGroup>
        {range.key === 'custom' && (
          <CustomRange
            from={range.from ?? ''}
            to={range.to ?? ''}
            onApply={(from, to) => setRange({ key: 'custom', from, to })}
          />
        )}
        <Typography
          variant="body2"
          aria-live="polite"
          data-testid="match-count"
          sx={{ whiteSpace: 'nowrap' }}
        >
          {total.data !== undefined
            ? `${fmtInt(total.data)} matching entries`
            : total.loading
              ? 'Counting…'
              : ''}
        </Typography>
        <Stack direction="row" spacing={1} sx={{ ml: 'auto', alignItems: 'center' }}>
          <Typography variant="body2" color="text.secondary" aria-live="polite">
            {selectedIds.length > 0 ? `${fmtInt(selectedIds.length)} selected` : ''}
          </Typography>
          <Button
            size="small"
            variant="outlined"
            disabled={selectedIds.length === 0}
            onClick={() => setAddingToCase(true)}
            title="Select rows with their checkboxes (or Space), then add them to a case"
          >
            Add to case…
          </Button>
          <Button size="small" onClick={(e) => setExportMenu(e.currentTarget)}>
            Export
          </Button>
          <Button size="small" onClick={(e) => setColumnsMenu(e.currentTarget)}>
            Columns
          </Button>
        </Stack>
      </Stack>

      {total.error && !queryError && <ErrorNote error={total.error} title="Search failed" />}

      <Paper variant="outlined" sx={{ p: 1 }}>
        {histogram.data && histogram.data.buckets.length > 0 ? (
          <Histogram
            data={histogram.data}
            label="matching entries over time"
            onPick={(from, to) => setRange({ key: 'custom', from: isoMs(from), to: isoMs(to - 1) })}
          />
        ) : (
          <Empty>
            {histogram.loading ? 'Drawing the histogram…' : 'No matches to show over time.'}
          </Empty>
        )}
      </Paper>

      <Box sx={{ display: 'flex', gap: 1.5, flex: 1, minHeight: 380 }}>
        <Paper
          variant="outlined"
          sx={{ width: 240, flexShrink: 0, overflow: 'auto' }}
          aria-label="facets"
        >
          {facets.error && !queryError && <ErrorNote error={facets.error} />}
          {facets.data &&
            FACETS.map((f) => (
              <Box key={f} sx={{ px: 1, pt: 1 }}>
                <Typography variant="overline" color="text.secondary">
                  {f}
                </Typography>
                {(facets.data![f] ?? []).length === 0 ? (
                  <Typography variant="caption" color="text.secondary" component="div">
                    none
                  </Typography>
                ) : (
                  <List dense disablePadding>
                    {facets.data![f].map((v) => (
                      <ListItem key={v.value} disablePadding>
                        <ListItemButton
                          sx={{ py: 0, px: 0.5 }}
                          onClick={() => addTerm(`${f}:${quote(v.value)}`)}
                          data-facet={`${f}=${v.value}`}
                          title={`Filter on ${f}: ${v.value}`}
                        >
                          <ListItemText
                            primary={v.value}
                            slotProps={{ primary: { noWrap: true, sx: { fontSize: 12 } } }}
                          />
                          <Typography variant="caption" color="text.secondary" sx={{ ml: 1 }}>
                            {fmtInt(v.count)}
                          </Typography>
                        </ListItemButton>
                      </ListItem>
                    ))}
                  </List>
                )}
              </Box>
            ))}
        </Paper>
        <Box sx={{ flex: 1, minWidth: 0 }} data-testid="results-grid">
          <AgGridReact<SearchRowDto>
            theme={
              theme.palette.mode === 'dark' ? themeQuartz.withPart(colorSchemeDark) : themeQuartz
            }
            rowModelType="infinite"
            datasource={datasource}
            cacheBlockSize={100}
            rowHeight={34}
            headerHeight={36}
            maxBlocksInCache={50}
            columnDefs={COLUMNS.map((c) => ({ ...c, hide: hidden.has(c.field), sortable: false }))}
            defaultColDef={{ resizable: true }}
            // Checkboxes (or Space on a row) select rows for "Add to case…"; a click opens one.
            rowSelection={{
              mode: 'multiRow',
              checkboxes: true,
              headerCheckbox: false,
              enableClickSelection: false,
            }}
            getRowId={(p) => String(p.data.id)}
            onRowSelected={(e) => {
              const rowId = e.data?.id;
              if (rowId === undefined) return;
              const on = e.node.isSelected();
              setSelectedIds((ids) =>
                on ? (ids.includes(rowId) ? ids : [...ids, rowId]) : ids.filter((x) => x !== rowId),
              );
            }}
            onGridReady={(e) => (gridApi.current = e.api)}
            onRowClicked={(e) => {
              const target = e.event?.target as HTMLElement | null;
              if (target?.closest('.ag-selection-checkbox')) return;
              if (e.data) setOpenId(e.data.id);
            }}
            onCellKeyDown={(e) => {
              const key = (e.event as KeyboardEvent | null)?.key;
              if (key === 'Enter' && e.data) setOpenId(e.data.id);
            }}
            overlayNoRowsTemplate="<span>No entries match this search.</span>"
          />
        </Box>
      </Box>

      {exported && (
        <Alert severity={exported.ok ? 'success' : 'error'} onClose={() => setExported(null)}>
          {exported.text}
        </Alert>
      )}

      <EventDrawer id={openId} onClose={() => setOpenId(null)} />
      <AddToCaseDialog
        open={addingToCase}
        entryIds={selectedIds}
        onClose={() => setAddingToCase(false)}
      />

      <Menu anchorEl={exportMenu} open={!!exportMenu} onClose={() => setExportMenu(null)}>
        {(
          [
            ['csv', false, 'CSV (a spreadsheet)'],
            ['jsonl', false, 'JSON lines'],
            ['jsonl', true, 'JSON lines, each entry with its inclusion proof'],
          ] as const
        ).map(([format, proofs, label]) => (
          <MenuItem
            key={label}
            onClick={() => {
              setExportMenu(null);
              call('search.export', { query: q, format, proofs }).then(
                (r) => {
                  if (r.kind === 'download') {
                    startDownload(r.url);
                    setExported({ ok: true, text: 'The export is downloading.' });
                  } else
                    setExported({
                      ok: true,
                      text: `Saved ${fmtInt(r.rows)} entries to ${r.path}.`,
                    });
                },
                (e: Error) => setExported({ ok: false, text: e.message }),
              );
            }}
          >
            {label}
          </MenuItem>
        ))}
      </Menu>

      <Menu anchorEl={columnsMenu} open={!!columnsMenu} onClose={() => setColumnsMenu(null)}>
        {COLUMNS.map((c) => (
          <MenuItem
            key={c.field}
            onClick={() => {
              const next = new Set(hidden);
              if (next.has(c.field)) next.delete(c.field);
              else next.add(c.field);
              setHidden(next);
            }}
          >
            <span aria-hidden="true" style={{ width: 20 }}>
              {hidden.has(c.field) ? '' : '✓'}
            </span>
            {c.headerName}
          </MenuItem>
        ))}
      </Menu>

      <Menu anchorEl={savedMenu} open={!!savedMenu} onClose={() => setSavedMenu(null)}>
        <MenuItem disabled>Saved searches</MenuItem>
        {(saved.data ?? []).length === 0 && <MenuItem disabled>none yet</MenuItem>}
        {(saved.data ?? []).map((s) => (
          <MenuItem
            key={s.id}
            onClick={() => {
              run(s.query);
              setSavedMenu(null);
            }}
          >
            <ListItemText primary={s.name} secondary={s.query} />
          </MenuItem>
        ))}
        <MenuItem disabled>Recent</MenuItem>
        {(history.data ?? []).map((h, i) => (
          <MenuItem
            key={`${h.ranAt}-${i}`}
            onClick={() => {
              run(h.query);
              setSavedMenu(null);
            }}
          >
            <ListItemText
              primary={h.query || '(everything)'}
              secondary={h.total === null ? '' : `${fmtInt(h.total)} entries`}
            />
          </MenuItem>
        ))}
      </Menu>

      <SaveDialog open={saving} query={query} onClose={() => setSaving(false)} />
      <SyntaxHelp open={help} onClose={() => setHelp(false)} />
    </Box>
  );
}

/** From and to, in the query language's times (both included); Enter applies. */
function CustomRange({
  from,
  to,
  onApply,
}: {
  from: string;
  to: string;
  onApply: (from: string, to: string) => void;
}) {
  const [a, setA] = useState(from);
  const [b, setB] = useState(to);
  useEffect(() => {
    setA(from);
    setB(to);
  }, [from, to]);
  const field = (label: string, value: string, set: (v: string) => void) => (
    <TextField
      size="small"
      label={label}
      placeholder="2026-08-14T02:00 or now-7d"
      value={value}
      onChange={(e) => set(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onApply(a, b);
      }}
      sx={{ width: 230 }}
      slotProps={{ htmlInput: { spellCheck: false } }}
    />
  );
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
      {field('From (UTC)', a, setA)}
      {field('To (UTC)', b, setB)}
      <Button size="small" onClick={() => onApply(a, b)}>
        Apply
      </Button>
    </Stack>
  );
}

function SaveDialog({
  open,
  query,
  onClose,
}: {
  open: boolean;
  query: string;
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog open={open} onClose={onClose}>
      <DialogTitle>Save this search</DialogTitle>
      <DialogContent>
        <Typography variant="body2" sx={{ mb: 1, fontFamily: 'monospace' }}>
          {query}
        </Typography>
        <TextField
          autoFocus
          fullWidth
          size="small"
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="contained"
          disabled={!name.trim()}
          onClick={() =>
            call('search.saved.save', { name, query }).then(
              () => {
                setName('');
                setError(null);
                onClose();
              },
              (e: Error) => setError(e.message),
            )
          }
        >
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}

const EXAMPLES: Array<[string, string]> = [
  ['export', 'the word anywhere in the record'],
  ['"record cleanup"', 'a phrase'],
  ['actor:u-1042', 'a field, whole value (ASCII case ignored)'],
  ['actor:u-10*   action:*.export', 'wildcards in field values'],
  ['time:[2026-07-01 TO 2026-09-30]', 'a time range (UTC; days included whole)'],
  ['time:>now-7d   severity:>=high', 'open ranges'],
  ['a AND b   a OR b   NOT a   -a   (a OR b) c', 'boolean logic'],
  ['_exists_:actor.role', 'entries that have a field'],
  ['attributes.approvalId:APR*', 'any path into the record'],
];

function SyntaxHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="md">
      <DialogTitle>Search syntax</DialogTitle>
      <DialogContent>
        <Box component="table" sx={{ borderSpacing: '16px 6px', ml: -2 }}>
          <tbody>
            {EXAMPLES.map(([q, what]) => (
              <tr key={q}>
                <td>
                  <code>{q}</code>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </Box>
        <Typography variant="subtitle2" sx={{ mt: 2 }}>
          Fields
        </Typography>
        <Typography variant="body2">
          {SEARCH_FIELDS.map((f) => f.name).join(', ')}. Full reference: docs/search.md.
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
