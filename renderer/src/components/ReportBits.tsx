/**
 * What the report screens share: the templates and what each is for, report periods as the
 * command line writes them (2026-Q3, 2026-08, 2026-W33, 2026-08-14; UTC), and a SHA-256 shown
 * short with the whole of it a hover or a copy away.
 */
import { parsePeriod, periodOf, type PeriodKind } from '../../../shared/reports/period';
import { useState } from 'react';
import { Box, IconButton, Tooltip } from '@mui/material';
import type { Input, Output } from '../../../shared/ipc/contract';

export type ReportTemplate = Input<'reports.make'>['template'];
export type ReportRecord = Output<'reports.history'>[number];
export type { PeriodKind };

export interface TemplateInfo {
  id: ReportTemplate;
  label: string;
  description: string;
  /** What the template covers: a period of one kind, a case, or the cache as it stands now. */
  covers: PeriodKind | 'case' | 'now';
}

export const TEMPLATES: TemplateInfo[] = [
  {
    id: 'quarterly',
    label: 'Quarterly certified compliance report',
    description:
      'A quarter of every log: volumes, integrity and findings, each figure cited with its proof, to be signed.',
    covers: 'quarter',
  },
  {
    id: 'monthly',
    label: 'Monthly audit summary',
    description:
      "A month's activity at a glance: volumes, outcomes, alarms and the log's integrity.",
    covers: 'month',
  },
  {
    id: 'weekly',
    label: 'Weekly compliance report',
    description: "An ISO week's activity and findings, for the weekly compliance review.",
    covers: 'week',
  },
  {
    id: 'daily',
    label: 'Daily activity summary',
    description: 'One day of activity, hour by hour, with the events that stand out.',
    covers: 'day',
  },
  {
    id: 'investigation',
    label: 'Investigation report',
    description: 'One case: its description, its events with their proofs, notes and evidence.',
    covers: 'case',
  },
  {
    id: 'certificate',
    label: 'Log-verification certificate',
    description:
      "That the logs in the cache verify now against the workspace's trust policy, with their signed checkpoints.",
    covers: 'now',
  },
];

export const templateInfo = (id: string): TemplateInfo | undefined =>
  TEMPLATES.find((t) => t.id === id);

export const CLASSIFICATIONS = ['Public', 'Internal', 'Confidential', 'Restricted'] as const;

export const PERIOD_EXAMPLE: Record<PeriodKind, string> = {
  quarter: '2026-Q3',
  month: '2026-08',
  week: '2026-W33',
  day: '2026-08-14',
};

const PERIOD_NAME: Record<PeriodKind, string> = {
  quarter: 'a quarter',
  month: 'a month',
  week: 'an ISO week',
  day: 'a day',
};

export { periodOf };

export type PeriodCheck =
  | { ok: true; kind: PeriodKind; id: string; from: number; label: string }
  | { ok: false; message: string };

/**
 * Reads a period exactly as the report service will (the same parser, shared), so that the form
 * can say what is wrong before anything is sent.
 */
export function checkPeriod(text: string, want: PeriodKind | 'any'): PeriodCheck {
  let p;
  try {
    p = parsePeriod(text);
  } catch (e) {
    const message = (e as Error).message.replace(/^--period [^:]*: /, '');
    return { ok: false, message: message.charAt(0).toUpperCase() + message.slice(1) + '.' };
  }
  if (want !== 'any' && p.kind !== want)
    return {
      ok: false,
      message: `This template covers ${PERIOD_NAME[want]}: write it as ${PERIOD_EXAMPLE[want]}.`,
    };
  return { ok: true, kind: p.kind, id: p.id, from: p.from, label: p.label };
}

/** A SHA-256 cut to its first 12 digits, the whole of it in a tooltip and a copy button. */
export function ShortSha({ sha256, what }: { sha256: string; what: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () =>
    void navigator.clipboard?.writeText(sha256).then(
      () => {
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      },
      () => {},
    );
  return (
    <Tooltip
      describeChild
      title={
        <>
          {copied ? 'Copied: ' : 'SHA-256 '}
          <Box component="span" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
            {sha256}
          </Box>
        </>
      }
    >
      <Box component="span" sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.25 }}>
        <Box component="code" data-sha256={sha256} sx={{ fontSize: 12, whiteSpace: 'nowrap' }}>
          {sha256.slice(0, 12)}…
        </Box>
        <IconButton size="small" aria-label={`copy the SHA-256 of ${what}`} onClick={copy}>
          <CopyGlyph done={copied} />
        </IconButton>
      </Box>
    </Tooltip>
  );
}

/** Two overlapping sheets (copy), or a tick once copied; drawn, so no font needs the glyph. */
function CopyGlyph({ done }: { done: boolean }) {
  return (
    <Box
      component="svg"
      viewBox="0 0 16 16"
      aria-hidden="true"
      sx={{ width: 14, height: 14, fill: 'none', stroke: 'currentColor', strokeWidth: 1.5 }}
    >
      {done ? (
        <path d="M3 8.5l3.5 3.5L13 4.5" />
      ) : (
        <>
          <rect x="5.5" y="5.5" width="8" height="8" rx="1" />
          <path d="M10.5 3.5v-1a1 1 0 0 0-1-1h-6a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h1" />
        </>
      )}
    </Box>
  );
}

/** A report's file name, from the path it was saved to. */
export const fileName = (path: string) => path.split(/[\\/]/).pop() ?? path;
