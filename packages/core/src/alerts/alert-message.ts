/**
 * What a channel sends: one message, already written in the channel's language (the server's
 * alerts/alert-texts.ts writes it), with the facts a machine reading a webhook may want. The server's alert center
 * (apps/server/src/alerts/) decides when a message goes out; channels only deliver it.
 */

/** What kind of news it is. */
export type AlertEvent = 'failure' | 'recovery' | 'test';

/** One message to deliver. */
export interface AlertMessage {
  event: AlertEvent;
  /** What it is about: `scheduled-backup`, `target`, `verification`, `test-restore`, `stale`, or `test`. */
  subject: string;
  /** One line (a notification's title, an e-mail's subject). */
  title: string;
  /** A few sentences: what happened, since when, what to do. */
  text: string;
  /** When it happened, ISO 8601 UTC. */
  at: string;
  /** The failure's code, for a failure. */
  code?: string;
  /** The backup concerned, when there is one. */
  fileName?: string;
  /** The target concerned, for a target's news. */
  target?: { id: string; name: string };
  /** The instance's name in the title and the JSON ("Evidence Locker" unless set). */
  instance: string;
  /** The language `title` and `text` are written in ('en', 'de'); absent on a ping. */
  language?: string;
}

/** The JSON body the generic webhook sends (and the shape a receiver can rely on). */
export function alertWebhookBody(message: AlertMessage): Record<string, unknown> {
  return {
    source: 'evidence-locker',
    instance: message.instance,
    event: message.event,
    subject: message.subject,
    title: message.title,
    text: message.text,
    at: message.at,
    ...(message.code === undefined ? {} : { code: message.code }),
    ...(message.fileName === undefined ? {} : { fileName: message.fileName }),
    ...(message.target === undefined ? {} : { target: message.target }),
    ...(message.language === undefined ? {} : { language: message.language }),
  };
}
