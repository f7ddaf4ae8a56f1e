/**
 * What a retention rule would delete at one location right now, before the rule is saved: the
 * backup directory (its listing) or an offsite target (its listing, only the copies this instance
 * sent). Nothing is deleted here; pruning happens after the next backup (or push) as always.
 */
import {
  formatLocalIso,
  openTarget,
  planBackupDirRetention,
  copyTrigger,
  planTargetRetention,
  readTargetState,
  RetentionRuleSchema,
} from '@evidence-locker/core';
import { z } from 'zod';
import type { BackupVerifications } from '../backups/backup-verifications.ts';
import type { Instance } from '../instance/instance.ts';
import { instanceIdentities } from '../seal/instance-seal-settings.ts';
import { findInstanceTarget } from '../targets/instance-targets.ts';

export const RetentionPreviewInputSchema = z.object({
  location: z.discriminatedUnion(
    'kind',
    [z.object({ kind: z.literal('local') }), z.object({ kind: z.literal('target'), id: z.uuid({ error: 'id must be a target id.' }) })],
    { error: 'location must be { kind: "local" } or { kind: "target", id }.' },
  ),
  rule: RetentionRuleSchema,
});
export type RetentionPreviewInput = z.infer<typeof RetentionPreviewInputSchema>;

export const RetentionPreviewSchema = z.object({
  /** The backups the rule would delete, newest first; `madeAt` ISO 8601 with the server's offset. */
  deleted: z.array(z.object({ name: z.string(), madeAt: z.string() })),
  /** How many backups it keeps (at a target: of the copies this instance sent). */
  kept: z.number().int().nonnegative(),
});
export type RetentionPreview = z.infer<typeof RetentionPreviewSchema>;

/** The preview of `input.rule` at `input.location`, at `now`. A target that cannot be listed throws its error. */
export async function retentionPreview(
  instance: Instance,
  verifications: BackupVerifications,
  input: RetentionPreviewInput,
  now: Date = new Date(),
): Promise<RetentionPreview> {
  const madeAt = (date: Date): string => (Number.isNaN(date.getTime()) ? '' : formatLocalIso(date));
  if (input.location.kind === 'local') {
    const backupDir = instance.backupPath;
    const plan = await planBackupDirRetention(backupDir, input.rule, {
      now,
      identities: instanceIdentities(instance),
      good: async (entry) => (await verifications.lookup(backupDir, entry))?.ok,
    });
    return { deleted: plan.deleted.map((copy) => ({ name: copy.name, madeAt: madeAt(copy.madeAt) })), kept: plan.kept.length };
  }
  const target = findInstanceTarget(instance, input.location.id);
  const state = (await readTargetState(instance.dataDir))[target.id];
  const uploaded = new Set(state?.uploaded ?? []);
  const remote = await openTarget(target);
  try {
    const entries = await remote.list();
    const plan = planTargetRetention(entries, input.rule, now, (name) => uploaded.has(name), {
      triggerOf: (name) => copyTrigger(state, name),
    });
    return { deleted: plan.deleted.map((copy) => ({ name: copy.name, madeAt: madeAt(copy.madeAt) })), kept: plan.kept };
  } finally {
    await remote.close().catch(() => undefined);
  }
}
