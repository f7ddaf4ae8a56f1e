/**
 * The shape of every catalog, which is that of the English one (locales/en.json). It types vue-i18n's
 * keys for editors, and the aliases below fail to compile when the server can send an error code,
 * an archive warning or a job step without an English text (i18n/catalog-codes.test.ts checks
 * every language when the tests run).
 */
import type { ArchiveWarningCode, ErrorCode, JobPhase } from '@evidence-locker/server';
import type en from './locales/en.json';

export type MessageSchema = typeof en;

declare module 'vue-i18n' {
  // An interface, not a type: vue-i18n's own declaration is merged with this one.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface DefineLocaleMessage extends MessageSchema {}
}

/** Compiles only when `Texts` has a text for each of `Codes`. */
type TextsFor<Codes extends string, Texts extends Record<Codes, string>> = Texts;

/** The text of every code the server can tell (`error.<CODE>`). */
export type ErrorTexts = TextsFor<ErrorCode, MessageSchema['error']>;
/** The text of every archive warning (`warning.<CODE>`). */
export type WarningTexts = TextsFor<ArchiveWarningCode, MessageSchema['warning']>;
/** The words for every step a job's progress can name (`job.phase.<step>`). */
export type JobPhaseTexts = TextsFor<JobPhase, MessageSchema['job']['phase']>;

/** The key of every text, e.g. 'settings.now.saved' (a group such as 'settings.now' is no key). */
type TextKeys<T> = { [K in keyof T & string]: T[K] extends string ? K : `${K}.${TextKeys<T[K]>}` }[keyof T & string];
/** A key of the catalogs, for values that hold one (a form's problem, a backup's trigger). */
export type MessageKey = TextKeys<MessageSchema>;
