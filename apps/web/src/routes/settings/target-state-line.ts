/**
 * A target's push state in the user's words, one line per fact: sending now, the last copy sent
 * (its name and when), the last failure (the code's text in the user's language, and when), the
 * next try. A failure older than the last success is over and not shown.
 */
import { codeText } from '../../api/error-message.ts';
import type { TargetPushState } from '../../api/server-types.ts';
import { formatAge, formatDue } from '../../i18n/format-age.ts';
import { formatDateTime } from '../../i18n/format-date-time.ts';
import { i18n } from '../../i18n/i18n.ts';

export interface TargetStateLine {
  kind: 'pushing' | 'success' | 'never' | 'failure' | 'next';
  text: string;
}

/** "26 Nov 2026, 08:07 (3 hours ago)". */
function when(at: string, now: number): string {
  return `${formatDateTime(at)} (${formatAge(at, now)})`;
}

/** "26 Nov 2026, 16:28 (in 4 minutes)" for the next try (formatDue: never "now"). */
function due(at: string, now: number): string {
  return `${formatDateTime(at)} (${formatDue(at, now)})`;
}

/** The lines saying `state` (an `enabled` target has a next try; a disabled one sends nothing). */
export function targetStateLines(state: TargetPushState, enabled: boolean, now: number = Date.now()): TargetStateLine[] {
  const { t } = i18n.global;
  const lines: TargetStateLine[] = [];
  if (state.pushing) lines.push({ kind: 'pushing', text: t('targets.state.pushing') });
  if (state.lastSuccessAt !== null) {
    lines.push({
      kind: 'success',
      text: t('targets.state.success', { name: state.lastSuccessName ?? '—', when: when(state.lastSuccessAt, now) }),
    });
  } else if (state.lastFailure === null && !state.pushing) {
    lines.push({ kind: 'never', text: t('targets.state.never') });
  }
  const failure = state.lastFailure;
  const current = failure !== null && (state.lastSuccessAt === null || Date.parse(failure.at) >= Date.parse(state.lastSuccessAt));
  if (failure !== null && current) {
    const message = codeText(failure.code, failure.details ?? {}) ?? failure.message;
    lines.push({ kind: 'failure', text: t('targets.state.failure', { when: when(failure.at, now), message }) });
  }
  if (enabled && state.nextTryAt !== null && !state.pushing) {
    lines.push({ kind: 'next', text: t('targets.state.next', { when: due(state.nextTryAt, now) }) });
  }
  return lines;
}
