/**
 * A target's connection: its address (target-address.ts) with the credentials that reach it, as a
 * user gives them (a URL and secret files on the command line, the wizard's form). A stored target
 * (target-config.ts) splits them into plain fields and Fernet-encrypted `secrets`; this module
 * goes from one to the other.
 */
import { LockerError } from '../errors.ts';
import type { TargetAddress } from './target-address.ts';
import { TargetConfigSchema, type TargetConfig, type TargetRetention } from './target-config.ts';

/** The secrets (and S3's access key id, SFTP's pinned host key) that go with an address. */
export interface TargetCredentials {
  /** S3: required. */
  accessKeyId?: string | undefined;
  /** S3: required. */
  secretAccessKey?: string | undefined;
  /** SFTP (this or privateKey) and WebDAV. */
  password?: string | undefined;
  /** SFTP: a private key's text (OpenSSH or PEM). */
  privateKey?: string | undefined;
  privateKeyPassphrase?: string | undefined;
  /** SFTP: the pinned host key, `SHA256:…` as ssh-keygen -lf prints it. */
  hostKeyFingerprint?: string | undefined;
}

/** An address with its credentials: what reaches a target, stored or not. */
export type TargetConnection = TargetAddress & TargetCredentials;

/** What a user says about a new target besides how to reach it. */
export interface NewTargetDetails {
  /** 1 to 64 characters, unique among the instance's targets (targetsPatch checks that). */
  name: string;
  /** Default true. */
  enabled?: boolean;
  /** Seal the copies; default true. */
  sealed?: boolean;
  /** Seal for this age recipient instead of the instance's key. */
  recipient?: string | undefined;
  /** Default {}: keep every copy. */
  retention?: TargetRetention;
  /** Default a random UUID. */
  id?: string;
  /** createdAt; default now. */
  now?: Date;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/**
 * The stored target for `connection` and `details` (secrets still plain: targetsPatch encrypts
 * them). Throws INVALID_ARGUMENT naming the field when something does not pass the stored form's
 * checks (a missing secret, a bad name or retention, a recipient on a plain target).
 */
export function newTarget(connection: TargetConnection, details: NewTargetDetails): TargetConfig {
  const common = {
    id: details.id ?? crypto.randomUUID(),
    name: details.name,
    enabled: details.enabled ?? true,
    sealed: details.sealed ?? true,
    ...(details.recipient === undefined ? {} : { recipient: details.recipient }),
    retention: details.retention ?? {},
    createdAt: (details.now ?? new Date()).toISOString(),
  };
  let candidate: Record<string, unknown>;
  if (connection.kind === 's3') {
    const { accessKeyId, secretAccessKey, ...address } = connection;
    candidate = { ...pickAddress(address), ...common, accessKeyId, secrets: nonEmpty(secretAccessKey) ? { secretAccessKey } : {} };
  } else if (connection.kind === 'sftp') {
    const { password, privateKey, privateKeyPassphrase, hostKeyFingerprint, ...address } = connection;
    candidate = {
      ...pickAddress(address),
      ...common,
      ...(nonEmpty(hostKeyFingerprint) ? { hostKeyFingerprint: hostKeyFingerprint.replace(/=+$/, '') } : {}),
      secrets: {
        ...(nonEmpty(password) ? { password } : {}),
        ...(nonEmpty(privateKey) ? { privateKey } : {}),
        ...(nonEmpty(privateKeyPassphrase) ? { privateKeyPassphrase } : {}),
      },
    };
  } else {
    const { password, ...address } = connection;
    candidate = { ...pickAddress(address), ...common, secrets: nonEmpty(password) ? { password } : {} };
  }
  const parsed = TargetConfigSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    throw new LockerError(
      'INVALID_ARGUMENT',
      `The target "${details.name}" cannot be added: ${where}${issue?.message ?? 'unexpected shape'}`,
      {
        details: { field: issue?.path.join('.') },
      },
    );
  }
  return parsed.data;
}

/** Only the address's own fields (a connection may carry credentials of another kind). */
function pickAddress(address: Record<string, unknown>): Record<string, unknown> {
  const keys = ['kind', 'bucket', 'prefix', 'region', 'endpoint', 'pathStyle', 'host', 'port', 'username', 'directory', 'url'];
  return Object.fromEntries(Object.entries(address).filter(([key, value]) => keys.includes(key) && value !== undefined));
}

/**
 * The connection of a stored target, only its address and credentials (its secrets as readTargets decrypted them). A target marked
 * `unusable` (a secret that no longer decrypts) is SECRET_UNDECRYPTABLE with its reason.
 */
export function connectionOf(target: TargetConfig): TargetConnection {
  if (target.unusable !== undefined) {
    throw new LockerError('SECRET_UNDECRYPTABLE', target.unusable, { details: { id: target.id, name: target.name } });
  }
  const credentials: TargetCredentials = { ...target.secrets };
  if (target.kind === 's3') credentials.accessKeyId = target.accessKeyId;
  if (target.kind === 'sftp' && target.hostKeyFingerprint !== undefined) credentials.hostKeyFingerprint = target.hostKeyFingerprint;
  return { ...pickAddress(target), ...credentials } as TargetConnection;
}
