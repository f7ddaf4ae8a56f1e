import { describe, expect, it } from 'vitest';
import type { PublicTargetItem } from '../api/server-types.ts';
import { hostKeyQuestion } from './target-host-key.ts';
import {
  connectionDraft,
  emptyTargetForm,
  formFromTarget,
  isTargetRetentionChanged,
  targetDraft,
  targetLocation,
  validateTargetConnection,
  validateTargetForm,
  webdavUrl,
  type TargetForm,
} from './target-form.ts';

const NONE_SET = { secretAccessKey: false, password: false, privateKey: false, privateKeyPassphrase: false };

function sftpForm(changes: Partial<TargetForm> = {}): TargetForm {
  return {
    ...emptyTargetForm('sftp'),
    name: 'NAS',
    host: 'nas.local',
    port: '2222',
    username: 'backup',
    directory: '/srv/copies',
    password: 'pw',
    ...changes,
  };
}

const storedSftp = {
  id: '0b8f7c1e-1f5a-4c1e-9d3a-8f3f1c2b4a5d',
  name: 'NAS',
  kind: 'sftp',
  host: 'nas.local',
  port: 2222,
  username: 'backup',
  directory: 'copies',
  hostKeyFingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ',
  enabled: false,
  sealed: true,
  recipient: undefined,
  retention: { keepLast: 7 },
  createdAt: '2026-11-26T12:00:00.000Z',
  secretsSet: { ...NONE_SET, privateKey: true },
} as unknown as PublicTargetItem;

describe('targetDraft', () => {
  it('turns an SFTP form into the address, the chosen login only, and the accepted host key', () => {
    const draft = targetDraft(
      sftpForm({ privateKey: 'a key that is not chosen', hostKeyFingerprint: 'SHA256:x', keepLast: '5', keepDays: '' }),
    );
    expect(draft).toEqual({
      name: 'NAS',
      enabled: true,
      sealed: true,
      recipient: null,
      retention: { keepLast: 5 },
      address: { kind: 'sftp', host: 'nas.local', port: 2222, username: 'backup', directory: '/srv/copies' },
      secrets: { password: 'pw' },
      hostKeyFingerprint: 'SHA256:x',
    });
  });

  it('sends an S3 address with the default region, the access key id in the address, and no endpoint when none is given', () => {
    const form = {
      ...emptyTargetForm('s3'),
      name: 'B2',
      bucket: ' my-bucket ',
      prefix: '/docsight/home/',
      accessKeyId: 'AKIA',
      secretAccessKey: 's3cret',
    };
    expect(connectionDraft(form)).toEqual({
      address: { kind: 's3', bucket: 'my-bucket', prefix: 'docsight/home', region: 'us-east-1', pathStyle: true, accessKeyId: 'AKIA' },
      secrets: { secretAccessKey: 's3cret' },
    });
    expect(connectionDraft({ ...form, endpoint: 'http://127.0.0.1:9000/', region: 'eu-1' }).address).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-1',
    });
  });

  it('gives a WebDAV URL the trailing slash of a folder and leaves an empty user out', () => {
    const form = { ...emptyTargetForm('webdav'), name: 'Cloud', url: ' https://cloud.example.com/dav/backups ' };
    expect(connectionDraft(form)).toEqual({ address: { kind: 'webdav', url: 'https://cloud.example.com/dav/backups/' }, secrets: {} });
    expect(webdavUrl('https://x.example/')).toBe('https://x.example/');
  });

  it('leaves empty secrets out (editing keeps the stored ones) and drops the recipient of a plain target', () => {
    const draft = targetDraft(sftpForm({ password: '', sealed: false, recipient: 'age1qqq' }));
    expect(draft.secrets).toEqual({});
    expect(draft.recipient).toBeNull();
    expect(draft.sealed).toBe(false);
  });
});

describe('formFromTarget', () => {
  it('shows a stored target with its secrets empty, its login kind and its pinned key', () => {
    const form = formFromTarget(storedSftp);
    expect(form).toMatchObject({
      kind: 'sftp',
      name: 'NAS',
      port: 2222,
      directory: 'copies',
      sftpAuth: 'key',
      privateKey: '',
      password: '',
      enabled: false,
      keepLast: 7,
      keepDays: '',
    });
    expect(form.hostKeyFingerprint).toBe('SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ');
    // Saved again untouched, the draft keeps every secret (none sent) and the pinned key.
    expect(targetDraft(form)).toMatchObject({ secrets: {}, hostKeyFingerprint: form.hostKeyFingerprint, retention: { keepLast: 7 } });
  });

  it('names where the target is without a secret', () => {
    expect(targetLocation(storedSftp)).toBe('sftp://backup@nas.local:2222/~/copies');
  });
});

describe('validation', () => {
  it('asks for each missing connection field of the kind, and a secret only when none is stored', () => {
    expect(validateTargetConnection({ ...emptyTargetForm('sftp'), port: '' })).toEqual({
      host: 'targets.form.required',
      port: 'targets.form.portInvalid',
      username: 'targets.form.required',
      directory: 'targets.form.required',
      password: 'targets.form.required',
    });
    expect(validateTargetConnection(sftpForm({ password: '' }), { ...NONE_SET, password: true })).toEqual({});
    expect(validateTargetConnection({ ...emptyTargetForm('s3'), endpoint: 'ftp://x' })).toEqual({
      bucket: 'targets.form.required',
      endpoint: 'targets.form.urlInvalid',
      accessKeyId: 'targets.form.required',
      secretAccessKey: 'targets.form.required',
    });
    expect(validateTargetConnection({ ...emptyTargetForm('webdav'), url: 'cloud.example.com' })).toEqual({
      url: 'targets.form.urlInvalid',
    });
  });

  it('refuses a missing name, a bad recipient and retention out of range', () => {
    expect(validateTargetForm(sftpForm({ name: ' ', recipient: 'age1short', keepLast: '0', keepDays: '4000' }))).toEqual({
      name: 'targets.form.required',
      recipient: 'targets.form.recipientInvalid',
      keepLast: 'targets.form.keepLastInvalid',
      keepDays: 'targets.form.keepDaysInvalid',
    });
    expect(validateTargetForm(sftpForm({ keepLast: 3, keepDays: '30' }))).toEqual({});
  });

  it('refuses generations out of range, each with its limit, and takes them empty or in range', () => {
    expect(validateTargetForm(sftpForm({ daily: '0', weekly: '521', monthly: '2.5' }))).toEqual({
      daily: 'retention.targetDailyInvalid',
      weekly: 'retention.targetWeeklyInvalid',
      monthly: 'retention.targetMonthlyInvalid',
    });
    expect(validateTargetForm(sftpForm({ daily: '3650', weekly: 520, monthly: '' }))).toEqual({});
  });
});

describe('retention of a target', () => {
  it('sends the generations given and leaves the empty ones out', () => {
    expect(targetDraft(sftpForm({ keepLast: '', daily: '7', weekly: 4, monthly: '' })).retention).toEqual({ daily: 7, weekly: 4 });
  });

  it('shows a stored target’s generations and calls the form changed only when a count changed', () => {
    const stored = { ...storedSftp, retention: { keepLast: 7, monthly: 12 } } as PublicTargetItem;
    const form = formFromTarget(stored);
    expect(form).toMatchObject({ keepLast: 7, daily: '', weekly: '', monthly: 12 });
    expect(isTargetRetentionChanged(stored, form)).toBe(false);
    expect(isTargetRetentionChanged(stored, { ...form, name: 'Other', enabled: true })).toBe(false);
    expect(isTargetRetentionChanged(stored, { ...form, monthly: '' })).toBe(true);
    expect(isTargetRetentionChanged(stored, { ...form, daily: '3' })).toBe(true);
  });

  it('sends includeManual only when ticked, shows it, and calls a change of it a changed retention', () => {
    expect(targetDraft(sftpForm({ keepLast: 3 })).retention).toEqual({ keepLast: 3 });
    expect(targetDraft(sftpForm({ keepLast: 3, includeManual: true })).retention).toEqual({ keepLast: 3, includeManual: true });
    const stored = { ...storedSftp, retention: { keepLast: 3, includeManual: true } } as PublicTargetItem;
    const form = formFromTarget(stored);
    expect(form.includeManual).toBe(true);
    expect(isTargetRetentionChanged(stored, form)).toBe(false);
    expect(isTargetRetentionChanged(stored, { ...form, includeManual: false })).toBe(true);
    // Stored false is the same rule as none.
    const plain = { ...storedSftp, retention: { keepLast: 3, includeManual: false } } as PublicTargetItem;
    expect(formFromTarget(plain).includeManual).toBe(false);
    expect(isTargetRetentionChanged(plain, formFromTarget(plain))).toBe(false);
  });

  it('sends includePreRestore only when ticked, shows it, and calls a change of it a changed retention', () => {
    expect(targetDraft(sftpForm({ keepLast: 3, includePreRestore: true })).retention).toEqual({ keepLast: 3, includePreRestore: true });
    const stored = { ...storedSftp, retention: { keepLast: 3, includePreRestore: true } } as PublicTargetItem;
    const form = formFromTarget(stored);
    expect(form.includePreRestore).toBe(true);
    expect(isTargetRetentionChanged(stored, form)).toBe(false);
    expect(isTargetRetentionChanged(stored, { ...form, includePreRestore: false })).toBe(true);
    const plain = { ...storedSftp, retention: { keepLast: 3, includePreRestore: false } } as PublicTargetItem;
    expect(isTargetRetentionChanged(plain, formFromTarget(plain))).toBe(false);
  });
});

describe('hostKeyQuestion', () => {
  it('reads an unknown and a changed host key from the refusal, and nothing from other failures', () => {
    expect(hostKeyQuestion({ code: 'TARGET_HOST_KEY_UNKNOWN', message: '', details: { fingerprint: 'SHA256:new' } })).toEqual({
      state: 'unknown',
      fingerprint: 'SHA256:new',
    });
    expect(
      hostKeyQuestion({ code: 'TARGET_HOST_KEY_CHANGED', message: '', details: { expected: 'SHA256:old', presented: 'SHA256:new' } }),
    ).toEqual({ state: 'changed', fingerprint: 'SHA256:new', expected: 'SHA256:old' });
    expect(hostKeyQuestion({ code: 'TARGET_LOGIN_REFUSED', message: '', details: {} })).toBeNull();
    expect(hostKeyQuestion(undefined)).toBeNull();
  });
});
