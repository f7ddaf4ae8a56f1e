/**
 * Sealed backups (age): how the instance seals the backups it writes to its backup directory
 * (Backup now, the schedule, the pre-restore backup), and its recovery kit.
 *
 * Turning sealing on takes two steps, so the setting is never saved before the user holds the key:
 * 1. `prepare` makes the key (a new X25519 identity, or the user's passphrase) and its recovery kit,
 *    and keeps them in memory only (seal/pending-seal-keys.ts: 30 minutes);
 * 2. `confirm({ pendingId, kept: true })` saves it into config.json (the identity and passphrase
 *    Fernet-encrypted with `.config_key`, as DOCSight's other secrets). A key it replaces is kept as
 *    a retired identity (core's sealSettingsPatch), so the backups sealed before stay readable here,
 *    and with the old kit anywhere.
 * `disable` turns sealing off and keeps every key. `kit` makes the current key's recovery kit again,
 * after the admin password is entered again (auth/reenter-admin-password.ts, login's check and
 * limiter). Nothing here ever returns or logs an identity or a passphrase, except the kit itself.
 */
import os from 'node:os';
import { generateSealIdentity, sealSettingsPatch, type SealChange, type SealSettings } from '@evidence-locker/core';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { reenterAdminPassword } from '../../auth/reenter-admin-password.ts';
import { refusal } from '../../errors/server-refusal.ts';
import { changeSealSettings, instanceSealSettings } from '../../seal/instance-seal-settings.ts';
import { recoveryKit, type RecoveryKit } from '../../seal/recovery-kit.ts';
import type { Context } from '../context.ts';
import { protectedProcedure, router } from '../init.ts';

export const SealModeSchema = z.enum(['off', 'identity', 'passphrase']);

/** What a client may know of the seal settings: never a key. */
export const SealStateSchema = z.object({
  mode: SealModeSchema,
  /** The current identity's recipient (age1…, public), identity mode only. */
  recipient: z.string().nullable(),
  /** When the current key was made (ISO 8601). */
  keyCreatedAt: z.string().nullable(),
  /** Earlier identities kept so the backups they sealed stay readable here. */
  retiredKeys: z.number().int().nonnegative(),
  /** Why a saved mode reads as off (a key config.json no longer holds readably), else null. */
  problem: z.string().nullable(),
});
export type SealState = z.infer<typeof SealStateSchema>;

export const RecoveryKitSchema = z.object({ fileName: z.string(), text: z.string() });

export const SealPassphraseSchema = z
  .string({ error: 'Enter a passphrase.' })
  .min(12, { error: 'A passphrase needs at least 12 characters: a few unrelated words are easy to remember and hard to guess.' })
  .max(1024, { error: 'A passphrase may have at most 1024 characters.' });

export const SealPrepareInputSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('identity') }).strict(),
  z.object({ mode: z.literal('passphrase'), passphrase: SealPassphraseSchema }).strict(),
]);

export const SealPreparedSchema = z.object({
  pendingId: z.string().uuid(),
  mode: z.enum(['identity', 'passphrase']),
  recipient: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  kit: RecoveryKitSchema,
});

export const SealConfirmInputSchema = z.object({
  pendingId: z.string({ error: 'pendingId must be the id seal.prepare returned.' }).min(1).max(100),
  kept: z.literal(true, { error: 'Confirm that you kept the recovery kit before the key is saved.' }),
});

export const SealConfirmedSchema = SealStateSchema.extend({
  /** True when another key was held before: backups it sealed stay readable with its old kit, and here. */
  replacedKey: z.boolean(),
});

export const SealKitInputSchema = z.object({
  // Not checked when the instance has no admin password (there is no login to enter again).
  password: z.string({ error: 'Enter the admin password.' }).max(1024),
});

/** The seal settings as a client sees them. */
function stateOf(settings: SealSettings & { problem: string | null }): SealState {
  return {
    mode: settings.mode,
    recipient: settings.recipient,
    keyCreatedAt: settings.keyCreatedAt,
    retiredKeys: settings.retiredIdentities.length,
    problem: settings.problem,
  };
}

/** The recovery kit of `key`, made on this instance. */
function kitOf(ctx: Context, key: { identity: string } | { passphrase: true }, keyCreatedAt: string): Promise<RecoveryKit> {
  return recoveryKit({ key, keyCreatedAt, hostname: os.hostname(), dataDir: ctx.instance.dataDir });
}

export const sealRouter = router({
  /** How backups are sealed now. */
  get: protectedProcedure.output(SealStateSchema).query(({ ctx }) => stateOf(instanceSealSettings(ctx.instance))),

  /** Makes a key and its recovery kit; nothing is saved until `confirm`. */
  prepare: protectedProcedure
    .input(SealPrepareInputSchema)
    .output(SealPreparedSchema)
    .mutation(async ({ ctx, input }) => {
      const createdAt = new Date().toISOString();
      let change: Exclude<SealChange, { mode: 'off' }>;
      let kit: RecoveryKit;
      if (input.mode === 'identity') {
        const { identity, recipient } = await generateSealIdentity();
        change = { mode: 'identity', identity, recipient, createdAt };
        kit = await kitOf(ctx, { identity }, createdAt);
      } else {
        change = { mode: 'passphrase', passphrase: input.passphrase, createdAt };
        kit = await kitOf(ctx, { passphrase: true }, createdAt);
      }
      const pending = ctx.pendingSealKeys.add(change);
      return {
        pendingId: pending.pendingId,
        mode: change.mode,
        recipient: change.mode === 'identity' ? change.recipient : null,
        createdAt: pending.createdAt,
        expiresAt: pending.expiresAt,
        kit,
      };
    }),

  /** Saves the prepared key: from now on backups are sealed with it. */
  confirm: protectedProcedure
    .input(SealConfirmInputSchema)
    .output(SealConfirmedSchema)
    .mutation(async ({ ctx, input }) => {
      const pending = ctx.pendingSealKeys.take(input.pendingId);
      if (pending === undefined) {
        throw refusal('NOT_FOUND', 'SEAL_PENDING_GONE', 'The key you were setting up has expired or was already saved: start again.');
      }
      const before = await changeSealSettings(ctx.instance, (current) => sealSettingsPatch(pending.change, current));
      const replacedKey = before.identity !== null || before.passphrase !== null;
      const saved = instanceSealSettings(ctx.instance);
      audit(
        ctx.request.log,
        'seal.changed',
        {
          ip: ctx.request.clientAddress,
          mode: saved.mode,
          recipient: saved.recipient,
          replacedKey,
          retiredKeys: saved.retiredIdentities.length,
        },
        'Backups are sealed with a new key',
      );
      return { ...stateOf(saved), replacedKey };
    }),

  /** Turns sealing off; every key is kept, so sealed backups stay readable here. */
  disable: protectedProcedure.output(SealStateSchema).mutation(async ({ ctx }) => {
    await changeSealSettings(ctx.instance, (current) => sealSettingsPatch({ mode: 'off' }, current));
    audit(ctx.request.log, 'seal.changed', { ip: ctx.request.clientAddress, mode: 'off' }, 'Backups are no longer sealed');
    return stateOf(instanceSealSettings(ctx.instance));
  }),

  /** The current key's recovery kit again, after the admin password is entered again. */
  kit: protectedProcedure
    .input(SealKitInputSchema)
    .output(RecoveryKitSchema)
    .mutation(async ({ ctx, input }) => {
      const { instance } = ctx;
      const ip = ctx.request.clientAddress;
      if (instance.hasAdminPassword) {
        await reenterAdminPassword(
          { instance, loginLimiter: ctx.loginLimiter, ip, log: ctx.request.log, purpose: 'seal.kit' },
          input.password,
        );
      }
      const settings = instanceSealSettings(instance);
      const createdAt = settings.keyCreatedAt ?? new Date().toISOString();
      let kit: RecoveryKit;
      if (settings.mode === 'identity' && settings.identity !== null) kit = await kitOf(ctx, { identity: settings.identity }, createdAt);
      else if (settings.mode === 'passphrase') kit = await kitOf(ctx, { passphrase: true }, createdAt);
      else throw refusal('CONFLICT', 'SEAL_OFF', 'Sealing is off: there is no key to make a recovery kit for.');
      audit(ctx.request.log, 'seal.kit', { ip, mode: settings.mode }, 'Recovery kit made again');
      return kit;
    }),
});
