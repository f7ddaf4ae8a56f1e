/**
 * Headers every response carries. The CSP fits a Vite-built Vue SPA served from this origin:
 * scripts, styles, fonts and API calls only from 'self' (Vite emits external files, and Vue sets
 * style bindings through the CSSOM, which style-src does not restrict); images may also be data:
 * or blob: URLs (generated charts). No framing anywhere (clickjacking a "Restore" button).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Fastify onSend hook adding the security headers (and no-store for API answers). */
export async function addSecurityHeaders(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('X-Frame-Options', 'DENY');
  // same-origin keeps the Referer on our own requests (the origin check's fallback) and sends
  // nothing to other sites.
  reply.header('Referrer-Policy', 'same-origin');
  reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  reply.header('Cross-Origin-Opener-Policy', 'same-origin');
  reply.header('Cross-Origin-Resource-Policy', 'same-origin');
  if (request.protocol === 'https') reply.header('Strict-Transport-Security', 'max-age=31536000');
  if (isApiPath(request.url)) reply.header('Cache-Control', 'no-store');
}

/** True for the JSON API prefixes, which never answer with HTML or redirects. */
export function isApiPath(url: string): boolean {
  return (
    url === '/api' ||
    url.startsWith('/api/') ||
    url.startsWith('/api?') ||
    url === '/trpc' ||
    url.startsWith('/trpc/') ||
    url.startsWith('/trpc?')
  );
}
