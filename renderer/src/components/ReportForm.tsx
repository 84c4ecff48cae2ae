/**
 * The form for a new report: the template and what it covers (a period in the template's own form,
 * or a case), what the cover page states, who certifies it, and the officer's PKCS#12 to sign it
 * with. The passphrase lives in this form only until the report is asked for, then it is cleared.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  Box,
  Button,
  Card,
  CardContent,
  ListItemText,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import type { Input, Output } from '../../../shared/ipc/contract';
import { fmtBytes, readAsBase64 } from './caseBits';
import { CLASSIFICATIONS, PERIOD_EXAMPLE, TEMPLATES, checkPeriod, periodOf } from './ReportBits';
import type { ReportTemplate } from './ReportBits';

export type ReportRequest = Input<'reports.make'>;
type CaseSummary = Output<'cases.list'>[number];

/** What the form remembers between visits: never the certificate, never its passphrase. */
const REMEMBER_KEY = 'custos.reports.form';
interface Remembered {
  organisation: string;
  classification: string;
  version: string;
  name: string;
  role: string;
}

function remembered(): Remembered {
  const fallback = {
    organisation: '',
    classification: 'Confidential',
    version: '1.0',
    name: '',
    role: '',
  };
  try {
    return { ...fallback, ...(JSON.parse(localStorage.getItem(REMEMBER_KEY) ?? '{}') as object) };
  } catch {
    return fallback;
  }
}

/** The contract carries up to 1 MiB of base64; a PKCS#12 file is a few KiB. */
const MAX_P12 = 512 * 1024;

export function ReportForm({
  cases,
  newest,
  running,
  onMake,
}: {
  cases: CaseSummary[] | undefined;
  /** The newest time in the cache, for the default period; null when it is empty. */
  newest: number | null;
  running: boolean;
  onMake: (request: ReportRequest) => void;
}) {
  const start = useRef(remembered()).current;
  const [template, setTemplate] = useState<ReportTemplate>('monthly');
  const [period, setPeriod] = useState('');
  const [periodEdited, setPeriodEdited] = useState(false);
  const [caseId, setCaseId] = useState<number | ''>('');
  const [organisation, setOrganisation] = useState(start.organisation);
  const [classification, setClassification] = useState(start.classification);
  const [version, setVersion] = useState(start.version);
  const [name, setName] = useState(start.name);
  const [role, setRole] = useState(start.role);
  const [p12, setP12] = useState<{ name: string; size: number; base64: string } | null>(null);
  const [p12Error, setP12Error] = useState<string | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [attempted, setAttempted] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const info = TEMPLATES.find((t) => t.id === template)!;
  const covers = info.covers;
  const kind = covers === 'case' || covers === 'now' ? null : covers;

  // Until the officer writes a period, it follows the newest data in the cache.
  useEffect(() => {
    if (!periodEdited && newest !== null && kind !== null) setPeriod(periodOf(kind, newest));
  }, [newest, kind, periodEdited]);

  const chooseTemplate = (next: ReportTemplate) => {
    const nextKind = TEMPLATES.find((t) => t.id === next)!.covers;
    setTemplate(next);
    if (nextKind === 'case' || nextKind === 'now') return;
    // The same span in the new template's form: 2026-08 becomes 2026-Q3 for a quarterly report.
    const now = checkPeriod(period, 'any');
    const at = now.ok ? now.from : newest;
    if (at !== null) setPeriod(periodOf(nextKind, at));
  };

  const periodCheck = kind === null ? null : checkPeriod(period, kind);
  const errors = {
    period: periodCheck && !periodCheck.ok ? periodCheck.message : null,
    caseId: covers === 'case' && caseId === '' ? 'Choose the case to report on.' : null,
    organisation: organisation.trim()
      ? null
      : "Give the organisation's name, as the cover states it.",
    version: version.trim() ? null : 'Give the document a version, such as 1.0.',
    role: name.trim() && !role.trim() ? 'Give the signatory’s role too.' : null,
    name: role.trim() && !name.trim() ? 'Give the signatory’s name too.' : null,
  };
  const valid = Object.values(errors).every((e) => e === null) && !p12Error;
  const shown = (e: string | null) => (attempted ? e : null);

  const chooseP12 = async (file: File) => {
    setP12Error(null);
    setP12(null);
    if (file.size > MAX_P12) {
      setP12Error(
        `${file.name} is ${fmtBytes(file.size)}: a PKCS#12 file (.p12, .pfx) is a few KiB.`,
      );
      return;
    }
    try {
      setP12({ name: file.name, size: file.size, base64: await readAsBase64(file) });
    } catch (e) {
      setP12Error((e as Error).message);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAttempted(true);
    if (!valid || running) return;
    localStorage.setItem(
      REMEMBER_KEY,
      JSON.stringify({ organisation, classification, version, name, role } satisfies Remembered),
    );
    onMake({
      template,
      ...(covers === 'case' ? { caseId: Number(caseId) } : {}),
      ...(periodCheck?.ok ? { period: periodCheck.id } : {}),
      organisation: organisation.trim(),
      classification,
      version: version.trim(),
      ...(name.trim() ? { signatory: { name: name.trim(), role: role.trim() } } : {}),
      ...(p12 ? { sign: { p12Base64: p12.base64, passphrase } } : {}),
    });
    // Used once: the passphrase is not kept, not even in this form.
    setPassphrase('');
  };

  return (
    <Card variant="outlined" component="section" aria-labelledby="report-form-title">
      <CardContent>
        <Box component="form" noValidate onSubmit={submit} aria-label="new report">
          <Stack spacing={2}>
            <Typography variant="subtitle1" component="h3" id="report-form-title">
              New report
            </Typography>
            <TextField
              select
              size="small"
              label="Template"
              value={template}
              onChange={(e) => chooseTemplate(e.target.value as ReportTemplate)}
              helperText={info.description}
              slotProps={{
                select: {
                  renderValue: (v) => TEMPLATES.find((t) => t.id === v)?.label,
                  MenuProps: { slotProps: { paper: { sx: { maxWidth: 480 } } } },
                },
              }}
            >
              {TEMPLATES.map((t) => (
                <MenuItem key={t.id} value={t.id} data-template={t.id}>
                  <ListItemText
                    primary={t.label}
                    secondary={t.description}
                    slotProps={{ secondary: { sx: { whiteSpace: 'normal' } } }}
                  />
                </MenuItem>
              ))}
            </TextField>
            {kind !== null && (
              <TextField
                size="small"
                label="Period"
                value={period}
                placeholder={PERIOD_EXAMPLE[kind]}
                onChange={(e) => {
                  setPeriod(e.target.value);
                  setPeriodEdited(true);
                }}
                error={Boolean(errors.period && (attempted || period.trim()))}
                helperText={
                  errors.period && (attempted || period.trim())
                    ? errors.period
                    : periodCheck?.ok
                      ? `${periodCheck.label}, UTC`
                      : `Written as ${PERIOD_EXAMPLE[kind]}, in UTC.`
                }
                slotProps={{ htmlInput: { spellCheck: false } }}
              />
            )}
            {covers === 'now' && (
              <Typography variant="body2" color="text.secondary">
                The certificate covers every log in the cache as it stands when it is made: it takes
                no period.
              </Typography>
            )}
            {covers === 'case' && (
              <TextField
                select
                size="small"
                label="Case"
                value={cases?.some((c) => c.id === caseId) ? caseId : ''}
                onChange={(e) => setCaseId(Number(e.target.value))}
                disabled={!cases || cases.length === 0}
                error={Boolean(shown(errors.caseId))}
                helperText={
                  cases?.length === 0
                    ? 'No cases yet: open one in Cases or from a detection.'
                    : (shown(errors.caseId) ?? 'The case, its events, notes and evidence.')
                }
              >
                {(cases ?? []).map((c) => (
                  <MenuItem key={c.id} value={c.id}>
                    #{c.id} {c.title}
                  </MenuItem>
                ))}
              </TextField>
            )}
            <TextField
              size="small"
              label="Organisation"
              required
              value={organisation}
              onChange={(e) => setOrganisation(e.target.value)}
              error={Boolean(shown(errors.organisation))}
              helperText={shown(errors.organisation)}
            />
            <Stack direction="row" spacing={1}>
              <TextField
                select
                size="small"
                label="Classification"
                value={classification}
                onChange={(e) => setClassification(e.target.value)}
                sx={{ flex: 2 }}
              >
                {CLASSIFICATIONS.map((c) => (
                  <MenuItem key={c} value={c}>
                    {c}
                  </MenuItem>
                ))}
              </TextField>
              <TextField
                size="small"
                label="Version"
                required
                value={version}
                onChange={(e) => setVersion(e.target.value)}
                error={Boolean(shown(errors.version))}
                helperText={shown(errors.version)}
                sx={{ flex: 1 }}
              />
            </Stack>
            <Stack direction="row" spacing={1}>
              <TextField
                size="small"
                label="Signatory name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                error={Boolean(shown(errors.name))}
                helperText={shown(errors.name)}
                sx={{ flex: 1 }}
              />
              <TextField
                size="small"
                label="Signatory role"
                value={role}
                placeholder="Compliance officer"
                onChange={(e) => setRole(e.target.value)}
                error={Boolean(shown(errors.role))}
                helperText={shown(errors.role)}
                sx={{ flex: 1 }}
              />
            </Stack>
            <Box>
              <Typography variant="subtitle2" component="h4">
                Digital signature (optional)
              </Typography>
              <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                Signs the PDF (PAdES) with your certificate and key, from a PKCS#12 file.
              </Typography>
              <input
                ref={fileInput}
                type="file"
                accept=".p12,.pfx,application/x-pkcs12"
                aria-label="PKCS#12 certificate file"
                tabIndex={-1}
                style={{ display: 'none' }}
                onChange={(e) => {
                  const f = e.target.files?.[0];
                  if (f) void chooseP12(f);
                  e.target.value = '';
                }}
              />
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mb: 1 }}>
                <Button variant="outlined" size="small" onClick={() => fileInput.current?.click()}>
                  {p12 ? 'Choose another…' : 'Choose a certificate…'}
                </Button>
                {p12 ? (
                  <>
                    <Typography
                      variant="body2"
                      sx={{ flex: 1, minWidth: 0, wordBreak: 'break-all' }}
                      data-testid="report-p12"
                    >
                      {p12.name} ({fmtBytes(p12.size)})
                    </Typography>
                    <Button
                      size="small"
                      onClick={() => {
                        setP12(null);
                        setPassphrase('');
                      }}
                    >
                      Remove
                    </Button>
                  </>
                ) : (
                  <Typography variant="body2" color="text.secondary">
                    None: the report will not be signed.
                  </Typography>
                )}
              </Stack>
              {p12Error && (
                <Typography variant="body2" color="error" role="alert" sx={{ mb: 1 }}>
                  {p12Error}
                </Typography>
              )}
              {p12 && (
                <TextField
                  size="small"
                  fullWidth
                  type="password"
                  label="Certificate passphrase"
                  autoComplete="off"
                  value={passphrase}
                  onChange={(e) => setPassphrase(e.target.value)}
                  helperText="Used for this signature only: never stored, and cleared once sent."
                />
              )}
            </Box>
            <Stack direction="row" spacing={2} sx={{ alignItems: 'center' }}>
              <Button type="submit" variant="contained" disabled={running}>
                {running ? 'Making…' : p12 ? 'Make and sign report' : 'Make report'}
              </Button>
              {attempted && !valid && (
                <Typography variant="body2" color="error" role="alert">
                  Some fields need attention.
                </Typography>
              )}
            </Stack>
          </Stack>
        </Box>
      </CardContent>
    </Card>
  );
}
