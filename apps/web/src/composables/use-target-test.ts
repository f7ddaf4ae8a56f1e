/**
 * Test connection for a target form or a stored target, and the host key question it may raise.
 * States: idle → testing → passed (how long the probe took) | failed (the TARGET_ code's text) |
 * asking (an SFTP host key unknown or changed: `question` holds its fingerprint). Accepting runs
 * the same call again with the fingerprint pinned (`accept`); what the call is, is the caller's
 * (targets.test, or the wizard's setup.offsiteBackups), so one flow serves both.
 */
import { computed, ref, shallowRef } from 'vue';
import { errorMessage, serverFailure } from '../api/error-message.ts';
import { hostKeyQuestion, type HostKeyQuestion } from '../components/target-host-key.ts';
import { i18n } from '../i18n/i18n.ts';

export function useTargetTest<T>() {
  const status = ref<'idle' | 'testing' | 'passed' | 'failed' | 'asking'>('idle');
  const cause = shallowRef<unknown>(null);
  const result = shallowRef<T | null>(null);
  /** The host key the server presented and the user may accept; null when none is asked about. */
  const question = computed<HostKeyQuestion | null>(() => (status.value === 'asking' ? hostKeyQuestion(serverFailure(cause.value)) : null));
  /** Why the test failed, in the user's language (follows a language switch). */
  const error = computed(() => (status.value === 'failed' ? errorMessage(cause.value, i18n.global.t('common.networkError')) : null));

  /** Runs `call` (with `fingerprint` pinned, when given) and resolves with its answer, or null. */
  async function run(call: (fingerprint: string | null) => Promise<T>, fingerprint: string | null = null): Promise<T | null> {
    status.value = 'testing';
    cause.value = null;
    result.value = null;
    try {
      const answer = await call(fingerprint);
      result.value = answer;
      status.value = 'passed';
      return answer;
    } catch (caught) {
      cause.value = caught;
      status.value = hostKeyQuestion(serverFailure(caught)) === null ? 'failed' : 'asking';
      return null;
    }
  }

  function reset(): void {
    status.value = 'idle';
    cause.value = null;
    result.value = null;
  }

  return { status, result, question, error, run, reset };
}
