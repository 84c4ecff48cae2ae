/** How numbers and times are shown: UTC everywhere, as in the log. */
export const fmtInt = (n: number) => n.toLocaleString('en-US');

export function fmtTime(ms: number | null, withMillis = true): string {
  if (ms === null) return '—';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withMillis ? 23 : 19)}`;
}

export function fmtAgo(ms: number | null, now = Date.now()): string {
  if (ms === null) return 'never';
  const s = Math.round((now - ms) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

export function fmtBucket(ms: number): string {
  if (ms >= 86_400_000) return `${Math.round(ms / 86_400_000)} d`;
  if (ms >= 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}
