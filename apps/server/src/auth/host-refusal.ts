/**
 * Refuses requests addressed to a name the server is not meant to be reached by (DNS rebinding).
 * A page on another site can rebind its own name to 127.0.0.1 and then talk to this server as
 * "same origin": the browser sends `Host` and `Origin` of the attacker's name, so the cross-origin
 * rule (cross-origin-refusal.ts) sees nothing wrong. The `Host` header is what gives it away: only
 * these names are accepted, whatever the method or route:
 * - `localhost`, and any loopback address (127.0.0.0/8, ::1, IPv4-mapped forms);
 * - the machine's own addresses (every address of os.networkInterfaces(), read when asked);
 * - the names and addresses in ALLOWED_HOSTS (env.ts), or anything when it holds `*`.
 * The port is ignored (the name is what a rebinding attacker controls); case, a trailing dot,
 * IPv6 brackets and IPv4 spellings like `127.1` are normalised as browsers do. A malformed or
 * missing Host is refused.
 */
import { BlockList, isIP } from 'node:net';

/** What the rule needs besides the Host header. */
export interface HostRules {
  /** Canonical names from ALLOWED_HOSTS ({@link canonicalHostName}); `*` allows every name. */
  allowedHosts: readonly string[];
  /** The machine's own addresses, as os.networkInterfaces() lists them. */
  localAddresses: () => Iterable<string>;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** A Host header: a name or an IPv4 address, or a bracketed IPv6 address; an optional port. */
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[^\s@/\\?#[\]:]+)(?::(\d{1,5}))?$/;

/**
 * The canonical form of a host name or address (no port): lowercase, punycode, one trailing dot
 * dropped, IPv6 compressed and without brackets, IPv4 in dotted decimal. Null when it is not a
 * valid host. Accepts `[::1]` and `::1` alike.
 */
export function canonicalHostName(value: string): string | null {
  let text = value.trim();
  if (isIP(text) === 6) text = `[${text}]`;
  if (!/^(\[[0-9A-Fa-f:.]+\]|[^\s@/\\?#[\]:%]+)$/.test(text)) return null;
  let hostname: string;
  try {
    hostname = new URL(`http://${text}/`).hostname;
  } catch {
    return null;
  }
  if (hostname.endsWith('.')) hostname = hostname.slice(0, -1);
  if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
  return hostname === '' || hostname.endsWith('.') ? null : hostname;
}

/** The canonical host name of a Host header (port dropped), or null when it is malformed. */
export function hostOfHeader(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = HOST_HEADER.exec(header.trim());
  if (!match || (match[2] !== undefined && Number(match[2]) > 65535)) return null;
  return canonicalHostName(match[1] ?? '');
}

function isLoopback(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function isLocalAddress(address: string, rules: HostRules): boolean {
  if (isIP(address) === 0) return false;
  for (const local of rules.localAddresses()) {
    if (canonicalHostName(local) === address) return true;
  }
  return false;
}

/** Why a request with this Host header must be refused, or null when the name is one of ours. */
export function hostRefusal(header: string | undefined, rules: HostRules): string | null {
  if (rules.allowedHosts.includes('*')) return null;
  const host = hostOfHeader(header);
  if (host === null) return 'This request names no valid host and was refused.';
  if (host === 'localhost' || isLoopback(host) || rules.allowedHosts.includes(host) || isLocalAddress(host, rules)) {
    return null;
  }
  return `This server does not answer to the name "${host}". If that is how you reach it, add the name to ALLOWED_HOSTS.`;
}
