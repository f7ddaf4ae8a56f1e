import { describe, expect, it } from 'vitest';
import { crossOriginRefusal, type OriginFacts } from './cross-origin-refusal.ts';

const post = (facts: Partial<OriginFacts>): OriginFacts => ({
  method: 'POST',
  host: 'locker.lan:8765',
  origin: undefined,
  referer: undefined,
  secFetchSite: undefined,
  ...facts,
});

describe('crossOriginRefusal', () => {
  it('lets a POST from the app itself through', () => {
    expect(crossOriginRefusal(post({ origin: 'http://locker.lan:8765' }))).toBeNull();
    expect(crossOriginRefusal(post({ origin: 'http://LOCKER.lan:8765' }))).toBeNull();
  });

  it('refuses a POST whose Origin is another host or port', () => {
    expect(crossOriginRefusal(post({ origin: 'http://evil.example' }))).toMatch(/another origin/);
    expect(crossOriginRefusal(post({ origin: 'http://locker.lan:9999' }))).toMatch(/another origin/);
    expect(crossOriginRefusal(post({ origin: 'null' }))).toMatch(/another origin/);
  });

  it('falls back to the Referer when there is no Origin', () => {
    expect(crossOriginRefusal(post({ referer: 'http://locker.lan:8765/settings' }))).toBeNull();
    expect(crossOriginRefusal(post({ referer: 'https://evil.example/x' }))).toMatch(/another origin/);
  });

  it('accepts a default port in the Host header', () => {
    expect(crossOriginRefusal(post({ host: 'locker.lan:443', origin: 'https://locker.lan' }))).toBeNull();
  });

  it('allows requests without Origin or Referer (curl, CLI) unless the browser says cross-site', () => {
    expect(crossOriginRefusal(post({}))).toBeNull();
    expect(crossOriginRefusal(post({ secFetchSite: 'same-origin' }))).toBeNull();
    expect(crossOriginRefusal(post({ secFetchSite: 'cross-site' }))).toMatch(/another site/);
    expect(crossOriginRefusal(post({ secFetchSite: 'same-site' }))).toMatch(/another site/);
  });

  it('never refuses safe methods', () => {
    expect(crossOriginRefusal(post({ method: 'GET', origin: 'http://evil.example' }))).toBeNull();
  });
});
