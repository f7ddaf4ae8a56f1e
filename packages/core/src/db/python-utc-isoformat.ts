/**
 * Python's `datetime.now(timezone.utc).isoformat()`: `2026-11-26T07:01:08.661304+00:00`, with the
 * fraction left out entirely when the microseconds are 0 (Python does that too). DOCSight writes this
 * format into `_docsight_migrations.applied_at`.
 */

/** Formats `date` (plus 0-999 extra microseconds) the way Python's UTC `isoformat()` does. */
export function pythonUtcIsoformat(date: Date, extraMicroseconds = 0): string {
  const base = date.toISOString().slice(0, 19);
  const micro = date.getUTCMilliseconds() * 1000 + Math.trunc(extraMicroseconds);
  const fraction = micro === 0 ? '' : `.${String(micro).padStart(6, '0')}`;
  return `${base}${fraction}+00:00`;
}

/** The current time in Python's UTC `isoformat()`, with microseconds from the high-resolution clock. */
export function pythonUtcNow(): string {
  // timeOrigin + now() is a monotonic epoch in ms with sub-ms digits, so successive ids stay ordered.
  const epochMicroseconds = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const milliseconds = Math.floor(epochMicroseconds / 1000);
  return pythonUtcIsoformat(new Date(milliseconds), epochMicroseconds - milliseconds * 1000);
}
