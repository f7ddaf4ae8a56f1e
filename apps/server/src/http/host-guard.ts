/**
 * Fastify onRequest hook applying the Host rule (auth/host-refusal.ts) to every request before any
 * route runs: tRPC, the raw upload and download routes, the web app's files. A refusal is 403 JSON
 * (code `HOST_NOT_ALLOWED`) plus an audit line. Registered before the cross-origin rule, which
 * trusts the Host header this one has checked.
 */
import os from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit.ts';
import { hostRefusal, type HostRules } from '../auth/host-refusal.ts';

/** Every address of every interface of this machine, read at the time of the call. */
export function machineAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
}

/**
 * The hook for `allowedHosts` (ALLOWED_HOSTS, default none beyond the built-in names) and the
 * machine's addresses (default: {@link machineAddresses}, read per request, so an address DHCP
 * hands out later counts at once).
 */
export function refuseUnknownHost(allowedHosts: readonly string[] = [], localAddresses: HostRules['localAddresses'] = machineAddresses) {
  const rules: HostRules = { allowedHosts, localAddresses };
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const host = request.headers.host;
    const refusal = hostRefusal(host, rules);
    if (refusal === null) return;
    audit(
      request.log,
      'request.host-refused',
      { ip: request.ip, method: request.method, url: request.url, host: host ?? null },
      'Request for an unknown host name refused',
    );
    await reply.code(403).send({ error: { code: 'HOST_NOT_ALLOWED', message: refusal } });
  };
}
