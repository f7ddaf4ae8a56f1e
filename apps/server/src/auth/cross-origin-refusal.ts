/**
 * Refuses state-changing requests that a web page on another origin could have sent (CSRF, and a
 * page elsewhere planting a restore on a fresh instance: docs/docsight-compatibility.md, D28). The
 * browser says where a request comes from; we compare that with the Host the request came to:
 * - Safe methods (GET, HEAD, OPTIONS) pass: they change nothing (tRPC queries and SSE are GETs).
 * - `Origin` present: its host[:port] must equal the Host header; `Origin: null` (sandboxed frames,
 *   some redirects) is refused.
 * - No Origin but `Referer`: the same comparison with the Referer's host.
 * - Neither: allowed (curl, the CLI, scripts: they hold no victim's cookie), unless the browser's
 *   `Sec-Fetch-Site` says `cross-site` or `same-site` (a sibling subdomain is another origin too).
 * Behind a reverse proxy, the proxy must pass the Host header through (nginx: `proxy_set_header Host
 * $host`); X-Forwarded-Host is not trusted, since any client can send it.
 */

/** The request facts the rule needs. */
export interface OriginFacts {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  referer: string | undefined;
  secFetchSite: string | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why the request must be refused, or null when it may proceed. */
export function crossOriginRefusal(facts: OriginFacts): string | null {
  if (SAFE_METHODS.has(facts.method.toUpperCase())) return null;
  const source = facts.origin ?? facts.referer;
  if (source === undefined) {
    const site = facts.secFetchSite?.toLowerCase();
    return site === 'cross-site' || site === 'same-site' ? 'This request came from another site and was refused.' : null;
  }
  const sourceHost = hostOf(source);
  const host = facts.host?.trim().toLowerCase();
  if (sourceHost === null || host === undefined || host === '' || !sameHost(sourceHost, host)) {
    return 'This request came from another origin and was refused.';
  }
  return null;
}

/** `host[:port]` of an origin or URL, lowercased; null for "null" or anything unparsable. */
function hostOf(value: string): { host: string; protocol: string } | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return { host: url.host.toLowerCase(), protocol: url.protocol };
  } catch {
    return null;
  }
}

function sameHost(source: { host: string; protocol: string }, host: string): boolean {
  if (source.host === host) return true;
  // URL drops a default port that a Host header may still carry (`example.org:80`).
  const defaultPort = source.protocol === 'https:' ? ':443' : ':80';
  return `${source.host}${defaultPort}` === host;
}
