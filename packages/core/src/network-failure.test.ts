import { describe, expect, it } from 'vitest';
import { networkFailure } from './network-failure.ts';

const coded = (code: string, cause?: unknown) => Object.assign(new Error(code), { code }, cause === undefined ? {} : { cause });

describe('networkFailure', () => {
  it.each([
    ['ECONNREFUSED', 'unreachable'],
    ['ENOTFOUND', 'unreachable'],
    ['ESOCKET', 'unreachable'],
    ['ETIMEDOUT', 'connect-timeout'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connect-timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'answer-timeout'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['ETLS', 'tls'],
  ] as const)('reads %s as %s', (code, failure) => {
    expect(networkFailure(coded(code))).toBe(failure);
  });

  it('finds the failure down the cause chain, and nothing in an error that is not one', () => {
    expect(networkFailure(new Error('fetch failed', { cause: coded('ECONNRESET') }))).toBe('unreachable');
    expect(networkFailure(coded('NoSuchBucket'))).toBeUndefined();
    expect(networkFailure('text')).toBeUndefined();
  });

  it('skips answer timeouts when asked, and searches on below them', () => {
    const timeout = Object.assign(new Error('aborted'), { name: 'TimeoutError' });
    expect(networkFailure(timeout)).toBe('answer-timeout');
    expect(networkFailure(timeout, { answerTimeouts: false })).toBeUndefined();
    expect(networkFailure(coded('UND_ERR_BODY_TIMEOUT', coded('EPIPE')), { answerTimeouts: false })).toBe('unreachable');
  });

  it('stops after 8 levels of causes', () => {
    let error: unknown = coded('ECONNREFUSED');
    for (let level = 0; level < 8; level += 1) error = new Error('wrapped', { cause: error });
    expect(networkFailure(error)).toBeUndefined();
  });
});
