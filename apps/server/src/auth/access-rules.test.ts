import { describe, expect, it } from 'vitest';
import { toHttpError } from '../errors/error-mapping.ts';
import { refusalOf } from '../errors/server-refusal.ts';
import {
  decideSessionAccess,
  decideSetupAccess,
  decideSetupAttempt,
  LOGIN_REQUIRED_MESSAGE,
  refusalError,
  type AccessFacts,
} from './access-rules.ts';

const loginRequired = {
  allowed: false,
  status: 'UNAUTHORIZED',
  code: 'LOGIN_REQUIRED',
  message: 'Log in first: this instance has an admin password.',
  details: {},
  reason: 'not logged in',
};

const facts = (overrides: Partial<AccessFacts>): AccessFacts => ({
  hasAdminPassword: false,
  configured: true,
  authenticated: false,
  ...overrides,
});

describe('decideSessionAccess', () => {
  it('is open without an admin password, as in DOCSight, configured or not', () => {
    expect(decideSessionAccess(facts({ configured: true }))).toEqual({ allowed: true });
    expect(decideSessionAccess(facts({ configured: false }))).toEqual({ allowed: true });
  });

  it('lets a request with a valid session through once an admin password is set', () => {
    expect(decideSessionAccess(facts({ hasAdminPassword: true, authenticated: true }))).toEqual({ allowed: true });
  });

  it('refuses a request without a session with 401 LOGIN_REQUIRED once an admin password is set', () => {
    expect(decideSessionAccess(facts({ hasAdminPassword: true, authenticated: false }))).toEqual(loginRequired);
  });
});

describe('decideSetupAccess', () => {
  it('is open and counts the costly work per address on an unconfigured instance without a password', () => {
    expect(decideSetupAccess(facts({ configured: false }))).toEqual({ allowed: true, counted: true });
  });

  it('is open and counts nothing on a configured instance without a password', () => {
    expect(decideSetupAccess(facts({ configured: true }))).toEqual({ allowed: true, counted: false });
  });

  it('follows the session rule once an admin password is set, and counts nothing for a session', () => {
    for (const configured of [true, false]) {
      expect(decideSetupAccess(facts({ hasAdminPassword: true, configured, authenticated: true }))).toEqual({
        allowed: true,
        counted: false,
      });
      expect(decideSetupAccess(facts({ hasAdminPassword: true, configured, authenticated: false }))).toEqual(loginRequired);
    }
  });
});

describe('decideSetupAttempt', () => {
  it('lets a counted attempt through with the bound on uploads waiting at once', () => {
    expect(decideSetupAttempt('upload', { allowed: true, remaining: 59 })).toEqual({ allowed: true, pendingUploads: 2 });
    expect(decideSetupAttempt('restore', { allowed: true, remaining: 0 })).toEqual({ allowed: true, pendingUploads: 2 });
  });

  it('refuses the upload past the limit with 429 SETUP_UPLOAD_LIMIT and the wait in whole minutes', () => {
    expect(decideSetupAttempt('upload', { allowed: false, limit: 60, retryAfterSeconds: 3599 })).toEqual({
      allowed: false,
      status: 'TOO_MANY_REQUESTS',
      code: 'SETUP_UPLOAD_LIMIT',
      message: 'Too many uploads from your address: 60 in the last hour. Try again in 60 minutes.',
      details: { limit: 60, minutes: 60 },
      reason: 'rate limit',
    });
  });

  it('refuses the restore past the limit with 429 SETUP_RESTORE_LIMIT, rounding a part minute up', () => {
    expect(decideSetupAttempt('restore', { allowed: false, limit: 5, retryAfterSeconds: 61 })).toEqual({
      allowed: false,
      status: 'TOO_MANY_REQUESTS',
      code: 'SETUP_RESTORE_LIMIT',
      message: 'Too many restores from your address: 5 in the last hour. Try again in 2 minutes.',
      details: { limit: 5, minutes: 2 },
      reason: 'rate limit',
    });
  });
});

describe('refusalError', () => {
  it('is a server refusal that tRPC and raw routes answer alike: 401 with code LOGIN_REQUIRED', () => {
    const refused = decideSessionAccess(facts({ hasAdminPassword: true }));
    if (refused.allowed) throw new Error('expected a refusal');
    const error = refusalError(refused);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', message: LOGIN_REQUIRED_MESSAGE });
    expect(refusalOf(error)).toMatchObject({ code: 'LOGIN_REQUIRED', details: {} });
    expect(toHttpError(error)).toEqual({
      status: 401,
      body: { error: { code: 'LOGIN_REQUIRED', message: 'Log in first: this instance has an admin password.' } },
    });
  });

  it('keeps the details of a rate-limit refusal for the client: 429 with limit and minutes', () => {
    const refused = decideSetupAttempt('upload', { allowed: false, limit: 60, retryAfterSeconds: 600 });
    if (refused.allowed) throw new Error('expected a refusal');
    expect(toHttpError(refusalError(refused))).toEqual({
      status: 429,
      body: {
        error: {
          code: 'SETUP_UPLOAD_LIMIT',
          message: 'Too many uploads from your address: 60 in the last hour. Try again in 10 minutes.',
          details: { limit: 60, minutes: 10 },
        },
      },
    });
  });
});
