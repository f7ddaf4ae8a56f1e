/**
 * A retention rule in words, for the command line's output (target add, target list, backup
 * prune): every part of the rule, and whether manual and pre-restore backups fall under it. The
 * web app says the same in the user's language (apps/web's retention-summary.ts).
 */
import type { RetentionRule } from '@evidence-locker/core';

const plural = (count: number, one: string, many: string): string => (count === 1 ? one : `${count} ${many}`);

/**
 * Words for `rule` at a location that holds `noun` (`copies` at a target, `backups` in the
 * backup directory), e.g. "keeps the newest 5, every backup of the last 30 days, the newest of
 * each of the last 7 days; never the newest; manual backups outside the rule, pre-restore
 * backups counted". A rule with no counting part keeps everything.
 */
export function describeRetention(rule: RetentionRule, noun: 'copies' | 'backups' = 'copies'): string {
  const one = noun === 'copies' ? 'copy' : 'backup';
  const parts = [
    ...(rule.keepLast === undefined ? [] : [`the newest ${rule.keepLast}`]),
    ...(rule.keepDays === undefined ? [] : [`every ${one} of the last ${plural(rule.keepDays, 'day', 'days')}`]),
    ...(rule.daily === undefined ? [] : [`the newest of each of the last ${plural(rule.daily, 'day', 'days')}`]),
    ...(rule.weekly === undefined ? [] : [`the newest of each of the last ${plural(rule.weekly, 'week', 'weeks')}`]),
    ...(rule.monthly === undefined ? [] : [`the newest of each of the last ${plural(rule.monthly, 'month', 'months')}`]),
  ];
  if (parts.length === 0) return `keeps every ${one}`;
  const manual = rule.includeManual === true ? 'manual backups counted' : 'manual backups kept outside the rule';
  const preRestore = rule.includePreRestore === true ? 'pre-restore backups counted' : 'pre-restore backups kept outside the rule';
  const own = noun === 'copies' ? 'only copies this instance sent; ' : '';
  return `keeps ${parts.join(', ')} (${own}never the newest; ${manual}, ${preRestore})`;
}
