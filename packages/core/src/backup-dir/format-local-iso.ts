/**
 * ISO 8601 with the server's local offset. DOCSight lists backup times as naive local time, which a
 * browser in another zone then misreads; carrying the offset keeps the wall-clock time the file name
 * shows and still names one instant.
 */

/**
 * Formats `time` as `YYYY-MM-DDTHH:mm:ss.sss±HH:MM` in the process's local time zone
 * (e.g. `2026-11-26T08:07:13.713+01:00`). UTC is written as `+00:00`, not `Z`.
 */
export function formatLocalIso(time: Date): string {
  const offsetMinutes = -time.getTimezoneOffset();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  return (
    `${pad(time.getFullYear(), 4)}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}` +
    `T${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}` +
    `.${pad(time.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`
  );
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}
