/**
 * What kind of network-level failure an error is, read from its cause chain: the one home of the
 * socket, DNS and TLS codes node, undici and nodemailer give, for the offsite targets
 * (targets/target-error.ts) and the alert channels (alerts/alert-error.ts), which each map the
 * kind to their own coded error.
 */
import { errnoCode } from './errors.ts';

/**
 * unreachable: DNS, refused, reset, no route; connect-timeout: no connection in time;
 * answer-timeout: connected, but no answer in time (undici's timeouts, AbortSignal.timeout);
 * tls: the certificate is not trusted or TLS could not be set up.
 */
export type NetworkFailure = 'unreachable' | 'connect-timeout' | 'answer-timeout' | 'tls';

const UNREACHABLE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  // nodemailer's
  'ESOCKET',
  'EDNS',
  'ECONNECTION',
]);
const CONNECT_TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const ANSWER_TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  // nodemailer's
  'ETLS',
]);

/**
 * The first network-level failure in `error`'s cause chain (8 levels at most), or undefined when
 * there is none. With `answerTimeouts: false` an answer timeout is not one (the chain is searched on).
 */
export function networkFailure(error: unknown, options: { answerTimeouts?: boolean } = {}): NetworkFailure | undefined {
  const answerTimeouts = options.answerTimeouts ?? true;
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 8; depth += 1) {
    if (answerTimeouts && current instanceof Error && current.name === 'TimeoutError') return 'answer-timeout';
    const code = errnoCode(current);
    if (code !== undefined) {
      if (TLS_CODES.has(code)) return 'tls';
      if (CONNECT_TIMEOUT_CODES.has(code)) return 'connect-timeout';
      if (answerTimeouts && ANSWER_TIMEOUT_CODES.has(code)) return 'answer-timeout';
      if (UNREACHABLE_CODES.has(code)) return 'unreachable';
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
