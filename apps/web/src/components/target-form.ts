/**
 * An offsite target as its form edits it (TargetConnectionFields, the settings' target editor,
 * the setup wizard's "From offsite storage"): every field of every kind as typed, and what the
 * server takes of it (targets.add/update/test, setup.offsiteBackups). Secrets are write-only: a
 * form editing a stored target starts with them empty, and an empty one is left out of the draft
 * (the server keeps the stored value). Pure functions; the components hold the form.
 */
import type { PublicTargetItem, TargetDraftInput } from '../api/server-types.ts';
import type { MessageKey } from '../i18n/message-schema.ts';

export type TargetKindName = 's3' | 'sftp' | 'webdav';
export const TARGET_KINDS: readonly TargetKindName[] = ['sftp', 's3', 'webdav'];

/** Limits the server checks too (core's target-config.ts). */
export const TARGET_NAME_MAX = 64;
export const KEEP_LAST_MAX = 1000;
export const KEEP_DAYS_MAX = 3650;
/** Generations: the newest copy of each of the last N days, ISO weeks, months (core's retention-rule.ts). */
export const GENERATION_FIELDS = [
  { field: 'daily', max: 3650, invalid: 'retention.targetDailyInvalid' },
  { field: 'weekly', max: 520, invalid: 'retention.targetWeeklyInvalid' },
  { field: 'monthly', max: 1200, invalid: 'retention.targetMonthlyInvalid' },
] as const satisfies readonly { field: string; max: number; invalid: MessageKey }[];
export const DEFAULT_REGION = 'us-east-1';
const RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;

/** The form's fields. Numbers are kept as typed ('' when empty), so an empty field is a choice, not a 0. */
export interface TargetForm {
  kind: TargetKindName;
  name: string;
  enabled: boolean;
  sealed: boolean;
  recipient: string;
  keepLast: string | number;
  keepDays: string | number;
  daily: string | number;
  weekly: string | number;
  monthly: string | number;
  /** Whether copies of backups made by hand fall under the retention. */
  includeManual: boolean;
  /** Whether copies of the backups taken before a restore fall under the retention. */
  includePreRestore: boolean;
  /** S3 */
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /** SFTP */
  host: string;
  port: string | number;
  directory: string;
  /** SFTP: log in with a password or a private key. */
  sftpAuth: 'password' | 'key';
  privateKey: string;
  privateKeyPassphrase: string;
  /** SFTP and WebDAV */
  username: string;
  password: string;
  /** WebDAV: the folder's URL. */
  url: string;
  /** SFTP: the host key the user accepted in this form (or the one pinned), `SHA256:…`; null for none. */
  hostKeyFingerprint: string | null;
}

/** Which secrets the stored target holds (editing): their fields say "set — leave empty to keep". */
export type SecretsSet = PublicTargetItem['secretsSet'];

export type TargetFormErrors = Partial<Record<keyof TargetForm, MessageKey>>;

/**
 * The fields of a new target that say nothing about how to reach it (its name, on or off, its
 * retention); a form with these put back compares equal when only they changed.
 */
export const TARGET_FORM_NON_CONNECTION = {
  name: '',
  enabled: true,
  keepLast: '',
  keepDays: '',
  daily: '',
  weekly: '',
  monthly: '',
  includeManual: false,
  includePreRestore: false,
} satisfies Partial<TargetForm>;

/** An empty form for a new target of `kind` (sealed, enabled, keeping every copy). */
export function emptyTargetForm(kind: TargetKindName = 'sftp'): TargetForm {
  return {
    kind,
    ...TARGET_FORM_NON_CONNECTION,
    sealed: true,
    recipient: '',
    endpoint: '',
    region: '',
    bucket: '',
    prefix: '',
    pathStyle: true,
    accessKeyId: '',
    secretAccessKey: '',
    host: '',
    port: 22,
    directory: '',
    sftpAuth: 'password',
    privateKey: '',
    privateKeyPassphrase: '',
    username: '',
    password: '',
    url: '',
    hostKeyFingerprint: null,
  };
}

/** The form editing `target`: its fields, its secrets empty (write-only), its pinned host key. */
export function formFromTarget(target: PublicTargetItem): TargetForm {
  const form = emptyTargetForm(target.kind);
  form.name = target.name;
  form.enabled = target.enabled;
  form.sealed = target.sealed;
  form.recipient = target.recipient ?? '';
  form.keepLast = target.retention.keepLast ?? '';
  form.keepDays = target.retention.keepDays ?? '';
  form.daily = target.retention.daily ?? '';
  form.weekly = target.retention.weekly ?? '';
  form.monthly = target.retention.monthly ?? '';
  form.includeManual = target.retention.includeManual === true;
  form.includePreRestore = target.retention.includePreRestore === true;
  if (target.kind === 's3') {
    form.endpoint = target.endpoint ?? '';
    form.region = target.region;
    form.bucket = target.bucket;
    form.prefix = target.prefix;
    form.pathStyle = target.pathStyle;
    form.accessKeyId = target.accessKeyId;
  } else if (target.kind === 'sftp') {
    form.host = target.host;
    form.port = target.port;
    form.username = target.username;
    form.directory = target.directory;
    form.sftpAuth = target.secretsSet.privateKey && !target.secretsSet.password ? 'key' : 'password';
    form.hostKeyFingerprint = target.hostKeyFingerprint ?? null;
  } else {
    form.url = target.url;
    form.username = target.username ?? '';
  }
  return form;
}

function wholeNumber(value: string | number): number | null {
  const text = String(value).trim();
  return /^\d+$/.test(text) ? Number(text) : null;
}

/** `value` as a whole number from 1 to `max`, undefined when empty, NaN when it is neither. */
function optionalCount(value: string | number, max: number): number | undefined {
  if (String(value).trim() === '') return undefined;
  const count = wholeNumber(value);
  return count !== null && count >= 1 && count <= max ? count : Number.NaN;
}

/** The WebDAV URL as the server stores it: trimmed, with the trailing slash of a folder. */
export function webdavUrl(url: string): string {
  const trimmed = url.trim();
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/**
 * Problems of the connection fields (what the wizard asks too). `secretsSet` says which secrets a
 * stored target already holds: those may stay empty.
 */
export function validateTargetConnection(form: TargetForm, secretsSet: SecretsSet | null = null): TargetFormErrors {
  const errors: TargetFormErrors = {};
  const has = (name: keyof SecretsSet) => secretsSet?.[name] === true;
  if (form.kind === 's3') {
    if (form.bucket.trim() === '') errors.bucket = 'targets.form.required';
    if (form.endpoint.trim() !== '' && !/^https?:\/\/\S+$/i.test(form.endpoint.trim())) errors.endpoint = 'targets.form.urlInvalid';
    if (form.accessKeyId.trim() === '') errors.accessKeyId = 'targets.form.required';
    if (form.secretAccessKey === '' && !has('secretAccessKey')) errors.secretAccessKey = 'targets.form.required';
  } else if (form.kind === 'sftp') {
    if (form.host.trim() === '') errors.host = 'targets.form.required';
    const port = wholeNumber(form.port);
    if (port === null || port < 1 || port > 65_535) errors.port = 'targets.form.portInvalid';
    if (form.username.trim() === '') errors.username = 'targets.form.required';
    if (form.directory.trim() === '') errors.directory = 'targets.form.required';
    if (form.sftpAuth === 'password' && form.password === '' && !has('password')) errors.password = 'targets.form.required';
    if (form.sftpAuth === 'key' && form.privateKey.trim() === '' && !has('privateKey')) errors.privateKey = 'targets.form.required';
  } else if (!/^https?:\/\/\S+$/i.test(form.url.trim())) {
    errors.url = form.url.trim() === '' ? 'targets.form.required' : 'targets.form.urlInvalid';
  }
  return errors;
}

/** Problems of the whole form (settings: name, sealing, retention besides the connection). */
export function validateTargetForm(form: TargetForm, secretsSet: SecretsSet | null = null): TargetFormErrors {
  const errors = validateTargetConnection(form, secretsSet);
  const name = form.name.trim();
  if (name === '') errors.name = 'targets.form.required';
  else if ([...name].length > TARGET_NAME_MAX) errors.name = 'targets.form.nameTooLong';
  if (form.sealed && form.recipient.trim() !== '' && !RECIPIENT.test(form.recipient.trim()))
    errors.recipient = 'targets.form.recipientInvalid';
  if (Number.isNaN(optionalCount(form.keepLast, KEEP_LAST_MAX))) errors.keepLast = 'targets.form.keepLastInvalid';
  if (Number.isNaN(optionalCount(form.keepDays, KEEP_DAYS_MAX))) errors.keepDays = 'targets.form.keepDaysInvalid';
  for (const { field, max, invalid } of GENERATION_FIELDS) {
    if (Number.isNaN(optionalCount(form[field], max))) errors[field] = invalid;
  }
  return errors;
}

function nonEmpty<T extends Record<string, string | undefined>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined && value !== '')) as Partial<T>;
}

/**
 * The connection part of a draft: the address of the form's kind, its secrets (empty ones left
 * out: kept when editing) and the accepted host key. Only the chosen SFTP login is sent.
 */
export function connectionDraft(form: TargetForm): Pick<TargetDraftInput, 'address' | 'secrets' | 'hostKeyFingerprint'> {
  if (form.kind === 's3') {
    const endpoint = form.endpoint.trim();
    return {
      address: {
        kind: 's3',
        bucket: form.bucket.trim(),
        prefix: form.prefix.trim().replace(/^\/+|\/+$/g, ''),
        region: form.region.trim() === '' ? DEFAULT_REGION : form.region.trim(),
        ...(endpoint === '' ? {} : { endpoint: endpoint.replace(/\/+$/, '') }),
        pathStyle: form.pathStyle,
        accessKeyId: form.accessKeyId.trim(),
      },
      secrets: nonEmpty({ secretAccessKey: form.secretAccessKey }),
    };
  }
  if (form.kind === 'sftp') {
    const secrets =
      form.sftpAuth === 'password'
        ? nonEmpty({ password: form.password })
        : nonEmpty({ privateKey: form.privateKey.trim() === '' ? '' : form.privateKey, privateKeyPassphrase: form.privateKeyPassphrase });
    return {
      address: {
        kind: 'sftp',
        host: form.host.trim(),
        port: wholeNumber(form.port) ?? Number.NaN,
        username: form.username.trim(),
        directory: form.directory.trim(),
      },
      secrets,
      ...(form.hostKeyFingerprint === null ? {} : { hostKeyFingerprint: form.hostKeyFingerprint }),
    };
  }
  const username = form.username.trim();
  return {
    address: { kind: 'webdav', url: webdavUrl(form.url), ...(username === '' ? {} : { username }) },
    secrets: nonEmpty({ password: form.password }),
  };
}

/**
 * The retention the form stands for: each count given, the empty ones (and invalid ones) left out;
 * `includeManual` and `includePreRestore` only when ticked.
 */
export function targetRetentionOf(form: TargetForm): NonNullable<TargetDraftInput['retention']> {
  const counts = {
    keepLast: optionalCount(form.keepLast, KEEP_LAST_MAX),
    keepDays: optionalCount(form.keepDays, KEEP_DAYS_MAX),
    ...Object.fromEntries(GENERATION_FIELDS.map(({ field, max }) => [field, optionalCount(form[field], max)])),
  };
  return {
    ...Object.fromEntries(Object.entries(counts).filter(([, count]) => count !== undefined && !Number.isNaN(count))),
    ...(form.includeManual ? { includeManual: true } : {}),
    ...(form.includePreRestore ? { includePreRestore: true } : {}),
  };
}

/** True when the form's retention differs from `stored`'s (a stored target's edit then asks what it deletes). */
export function isTargetRetentionChanged(stored: PublicTargetItem, form: TargetForm): boolean {
  const now = targetRetentionOf(form) as Record<string, number | boolean>;
  const before = stored.retention as Record<string, number | boolean | undefined>;
  // includeManual / includePreRestore false is the same rule as none.
  const set = (value: number | boolean | undefined) => value !== undefined && value !== false;
  const parts = new Set([...Object.keys(now), ...Object.keys(before).filter((part) => set(before[part]))]);
  return [...parts].some((part) => now[part] !== before[part]);
}

/** What targets.add/update/test take of the form (call validateTargetForm first). */
export function targetDraft(form: TargetForm): TargetDraftInput {
  const recipient = form.recipient.trim();
  return {
    name: form.name.trim(),
    enabled: form.enabled,
    sealed: form.sealed,
    recipient: form.sealed && recipient !== '' ? recipient : null,
    retention: targetRetentionOf(form),
    ...connectionDraft(form),
  };
}

/** Where a target is, as a URL-like line without any secret (sftp://user@host:port/dir, s3://bucket/prefix, the WebDAV URL). */
export function targetLocation(target: PublicTargetItem): string {
  if (target.kind === 's3') {
    const where = `s3://${target.bucket}${target.prefix === '' ? '' : `/${target.prefix}`}`;
    return target.endpoint === undefined ? where : `${where} · ${target.endpoint}`;
  }
  if (target.kind === 'sftp') {
    const directory = target.directory.startsWith('/') ? target.directory : `/~/${target.directory}`;
    return `sftp://${target.username}@${target.host}:${String(target.port)}${directory}`;
  }
  return target.url;
}
