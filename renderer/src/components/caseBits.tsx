/** Small pieces the case screens share: status names and chips, sizes, periods, tags. */
import { Box, Chip } from '@mui/material';
import type { ReactNode } from 'react';
import type { Output } from '../../../shared/ipc/contract';
import { fmtTime } from '../format';

export type CaseStatus = Output<'cases.get'>['status'];
export type CaseDto = Output<'cases.get'>;
export type CaseEventDto = Output<'cases.events'>[number];

export const STATUS_LABEL: Record<CaseStatus, string> = {
  open: 'Open',
  'in-review': 'In review',
  closed: 'Closed',
};

const STATUS_COLOR: Record<CaseStatus, 'primary' | 'warning' | 'default'> = {
  open: 'primary',
  'in-review': 'warning',
  closed: 'default',
};

export function CaseStatusChip({ status }: { status: CaseStatus }) {
  return (
    <Chip
      size="small"
      color={STATUS_COLOR[status]}
      variant={status === 'closed' ? 'outlined' : 'filled'}
      label={STATUS_LABEL[status]}
      data-status={status}
    />
  );
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function fmtPeriod(from: number | null, to: number | null): string {
  if (from === null && to === null) return 'not set';
  return `${from === null ? '…' : fmtTime(from, false)} to ${to === null ? '…' : fmtTime(to, false)}`;
}

/** The rule the case service applies to tags, checked here too so the form can say so at once. */
export const TAG_RULE = /^[\p{L}\p{N}][\p{L}\p{N} _.:/-]{0,49}$/u;
export const TAG_HELP = '1 to 50 letters, digits, spaces or - _ . : /';

/** A value from a datetime-local field ("2026-08-14T02:00[:05]"), read as UTC; null when empty. */
export function parseUtc(value: string): number | null {
  if (!value.trim()) return null;
  const t = Date.parse(`${value}Z`);
  return Number.isNaN(t) ? null : t;
}

/** A time as a datetime-local field's value, in UTC, to the second. */
export function utcInput(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString().slice(0, 19);
}

/** A file's bytes as base64 (the contract carries evidence files that way). */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

/** A record's details as short `key: value` pairs (custody and journal entries). */
export function Details({ detail }: { detail: Record<string, unknown> }) {
  const entries = Object.entries(detail);
  if (entries.length === 0)
    return (
      <Box component="span" sx={{ color: 'text.secondary' }}>
        —
      </Box>
    );
  return (
    <Box component="span" sx={{ display: 'inline', wordBreak: 'break-word' }}>
      {entries.map(([k, v]) => (
        <Box component="span" key={k} sx={{ mr: 1.5, display: 'inline-block' }}>
          <Box component="span" sx={{ color: 'text.secondary' }}>
            {k}:
          </Box>{' '}
          {show(v)}
        </Box>
      ))}
    </Box>
  );
}

function show(v: unknown): ReactNode {
  if (v === null || v === '') return '—';
  if (Array.isArray(v))
    return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The reference an investigator quotes: the log and the entry's index in it. */
export const logRef = (origin: string, index: number) => `${origin}#${index}`;
