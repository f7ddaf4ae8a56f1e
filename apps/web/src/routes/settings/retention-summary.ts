/**
 * A retention rule in the user's words: every part of it (keep N, keep days, the newest of each
 * day / week / month) and whether backups made by hand and those taken before a restore fall under
 * it. The backup directory's rule speaks of backups (the schedule's state, the offer after a
 * restore), a target's of copies (the targets list). The command line says the same in English
 * (apps/server's cli/describe-retention.ts).
 */
import type { RetentionRuleInput } from '../../api/server-types.ts';
import type { MessageKey } from '../../i18n/message-schema.ts';

type Translate = (key: MessageKey, named: Record<string, unknown>, plural: number) => string;

type SummaryKey = 'all' | 'last' | 'days' | 'daily' | 'weekly' | 'monthly' | 'manualIn' | 'manualOut' | 'preRestoreIn' | 'preRestoreOut';

const KEYS: Record<'backups' | 'copies', Record<SummaryKey, MessageKey>> = {
  backups: {
    all: 'retention.summary.all',
    last: 'retention.summary.last',
    days: 'retention.summary.days',
    daily: 'retention.summary.daily',
    weekly: 'retention.summary.weekly',
    monthly: 'retention.summary.monthly',
    manualIn: 'retention.summary.manualIn',
    manualOut: 'retention.summary.manualOut',
    preRestoreIn: 'retention.summary.preRestoreIn',
    preRestoreOut: 'retention.summary.preRestoreOut',
  },
  copies: {
    all: 'targets.retention.all',
    last: 'targets.retention.last',
    days: 'targets.retention.days',
    daily: 'retention.itemDaily',
    weekly: 'retention.itemWeekly',
    monthly: 'retention.itemMonthly',
    manualIn: 'retention.itemIncludeManual',
    manualOut: 'retention.itemManualOutside',
    preRestoreIn: 'retention.itemIncludePreRestore',
    preRestoreOut: 'retention.itemPreRestoreOutside',
  },
};

const COUNTS = [
  ['keepLast', 'last'],
  ['keepDays', 'days'],
  ['daily', 'daily'],
  ['weekly', 'weekly'],
  ['monthly', 'monthly'],
] as const;

/**
 * `rule` as sentences, translated with `t` (vue-i18n's `t(key, named, plural)`), for a location
 * holding `noun`. A rule with no counting part keeps everything, and says only that.
 */
export function retentionSummary(rule: RetentionRuleInput, t: Translate, noun: 'backups' | 'copies'): string {
  const keys = KEYS[noun];
  const parts: string[] = [];
  for (const [part, key] of COUNTS) {
    const count = rule[part];
    // `days` is what the targets' older text names its count.
    if (count !== undefined) parts.push(t(keys[key], { count, days: count }, count));
  }
  if (parts.length === 0) return t(keys.all, {}, 1);
  parts.push(t(rule.includeManual === true ? keys.manualIn : keys.manualOut, {}, 1));
  parts.push(t(rule.includePreRestore === true ? keys.preRestoreIn : keys.preRestoreOut, {}, 1));
  return parts.join(' ');
}
