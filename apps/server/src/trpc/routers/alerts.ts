/**
 * Alert channels in the settings: list (with each channel's last delivery and the failure states
 * now), add, edit, remove, and "Send test" (a stored channel, or the form's draft before saving).
 * When alerts go out is the alert center's business (alerts/alert-center.ts).
 *
 * Secrets are write-only: they go in through add/update/test and never come back
 * (publicAlertChannel says only which are set); they are stored Fernet-encrypted in config.json
 * and never logged. Adding, editing, removing and testing write an audit line.
 */
import { LockerError, publicAlertChannel, PublicAlertChannelSchema, sendAlert, type AlertChannel } from '@evidence-locker/core';
import { z } from 'zod';
import { audit } from '../../audit.ts';
import { AlertChannelDraftSchema, draftAlertChannel } from '../../alerts/alert-channel-draft.ts';
import { DeliverySchema, FailingSubjectSchema } from '../../alerts/alert-state.ts';
import { alertLanguage, testMessage } from '../../alerts/alert-texts.ts';
import {
  alertChannelNotFound,
  changeAlertChannels,
  findAlertChannel,
  instanceAlertChannels,
} from '../../alerts/instance-alert-channels.ts';
import type { Context } from '../context.ts';
import { protectedProcedure, router } from '../init.ts';

const IdSchema = z.uuid({ error: 'id must be an alert channel id (a UUID).' });

export const AlertListSchema = z.object({
  channels: z.array(z.intersection(PublicAlertChannelSchema, z.object({ lastDelivery: DeliverySchema.nullable() }))),
  /** What is wrong with the stored channels (an unreadable entry, a secret that no longer decrypts). */
  problems: z.array(z.object({ id: z.string().nullable(), message: z.string() })),
  /** The failure states now, by subject key (`scheduled-backup`, `target:ID`, `verification`, `test-restore`, `stale`). */
  failing: z.array(FailingSubjectSchema.extend({ subject: z.string() })),
});

const TestInputSchema = z.union([z.object({ draft: AlertChannelDraftSchema, id: IdSchema.optional() }), z.object({ id: IdSchema })]);

function auditFields(ctx: Context, channel: AlertChannel): { ip: string; id: string; name: string; kind: string } {
  return { ip: ctx.request.clientAddress, id: channel.id, name: channel.name, kind: channel.kind };
}

export const alertsRouter = router({
  list: protectedProcedure.output(AlertListSchema).query(async ({ ctx }) => {
    const read = instanceAlertChannels(ctx.instance);
    const state = await ctx.alertCenter.state();
    return {
      channels: read.channels.map((channel) => ({
        ...publicAlertChannel(channel),
        // The language its messages go out in, also for one stored without (the form shows it).
        language: alertLanguage(channel, ctx.instance.snapshot.config),
        lastDelivery: state.deliveries[channel.id] ?? null,
      })),
      problems: read.problems.map((problem) => ({ id: problem.id ?? null, message: problem.message })),
      failing: Object.entries(state.failing).map(([subject, failing]) => ({ subject, ...failing })),
    };
  }),

  /** Adds a channel (secrets write-only). */
  add: protectedProcedure
    .input(AlertChannelDraftSchema)
    .output(PublicAlertChannelSchema)
    .mutation(async ({ ctx, input }) => {
      const channel = draftAlertChannel(input);
      await changeAlertChannels(ctx.instance, (channels) => ({ channels: [...channels, channel], answer: undefined }));
      audit(ctx.request.log, 'alert-channel.added', auditFields(ctx, channel), 'Alert channel added');
      return publicAlertChannel(findAlertChannel(ctx.instance, channel.id));
    }),

  /** Edits a channel: a secret left out or empty stays as stored. */
  update: protectedProcedure
    .input(AlertChannelDraftSchema.extend({ id: IdSchema }))
    .output(PublicAlertChannelSchema)
    .mutation(async ({ ctx, input }) => {
      const { id, ...draft } = input;
      const changed = await changeAlertChannels(ctx.instance, (channels) => {
        const existing = channels.find((channel) => channel.id === id) ?? alertChannelNotFound(id);
        const channel = draftAlertChannel(draft, { existing });
        return { channels: channels.map((candidate) => (candidate.id === id ? channel : candidate)), answer: channel };
      });
      audit(ctx.request.log, 'alert-channel.updated', auditFields(ctx, changed), 'Alert channel changed');
      return publicAlertChannel(findAlertChannel(ctx.instance, id));
    }),

  remove: protectedProcedure
    .input(z.object({ id: IdSchema }))
    .output(z.object({ id: z.string(), name: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const removed = await changeAlertChannels(ctx.instance, (channels) => {
        const channel = channels.find((candidate) => candidate.id === input.id) ?? alertChannelNotFound(input.id);
        return { channels: channels.filter((candidate) => candidate.id !== input.id), answer: channel };
      });
      ctx.alertCenter.forgetChannel(input.id);
      audit(ctx.request.log, 'alert-channel.removed', auditFields(ctx, removed), 'Alert channel removed');
      return { id: removed.id, name: removed.name };
    }),

  /**
   * Send test: a test message through a stored channel (`id`), the form's draft, or a draft over a
   * stored channel (an edit not saved yet: its stored secrets are used where the form left them
   * empty), in the channel's language (alert-texts.ts). A ping channel gets its success ping. Fails with the channel's ALERT_ code.
   */
  test: protectedProcedure
    .input(TestInputSchema)
    .output(z.object({ elapsedMs: z.number() }))
    .mutation(async ({ ctx, input }) => {
      const stored = input.id === undefined ? undefined : findAlertChannel(ctx.instance, input.id);
      const channel = 'draft' in input ? draftAlertChannel(input.draft, stored === undefined ? {} : { existing: stored }) : stored!;
      if (channel.unusable !== undefined && channel.undecryptedSecrets !== undefined) {
        throw new LockerError('SECRET_UNDECRYPTABLE', channel.unusable, { details: { id: channel.id } });
      }
      const started = performance.now();
      const fields = { ...auditFields(ctx, channel), ...('draft' in input ? { draft: 'true' } : {}) };
      try {
        await sendAlert(channel, testMessage(Date.now(), alertLanguage(channel, ctx.instance.snapshot.config)));
        const elapsedMs = Math.round(performance.now() - started);
        if (stored !== undefined) ctx.alertCenter.recordDelivery(stored.id, { at: Date.now(), ok: true, event: 'test' });
        audit(ctx.request.log, 'alert-channel.tested', { ...fields, ok: true, elapsedMs }, 'Alert channel tested');
        return { elapsedMs };
      } catch (error) {
        const code = error instanceof LockerError ? error.code : 'INTERNAL';
        const message = error instanceof Error ? error.message : String(error);
        if (stored !== undefined) ctx.alertCenter.recordDelivery(stored.id, { at: Date.now(), ok: false, event: 'test', code, message });
        audit(ctx.request.log, 'alert-channel.tested', { ...fields, ok: false, code }, 'Alert channel test failed');
        throw error;
      }
    }),
});
