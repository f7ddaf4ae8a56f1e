/**
 * The confirm step before a changed retention is saved: ask settings.retentionPreview which
 * existing backups the new rule would delete at the location; none → save at once; some → hold the
 * save until the user confirms the list (or cancels); the check failing (a target that cannot be
 * listed) → hold it too, saying why, so the user may still save. States: idle → checking →
 * (saving | confirming | failed) → idle.
 */
import { computed, ref, shallowRef } from 'vue';
import { errorMessage } from '../api/error-message.ts';
import type { RetentionPreview, RetentionRuleInput } from '../api/server-types.ts';
import { trpc } from '../api/trpc-client.ts';
import { i18n } from '../i18n/i18n.ts';

/** Where a rule applies: the backup directory, or one offsite target. */
export type RetentionLocation = { kind: 'local' } | { kind: 'target'; id: string };

/** What settings.retentionPreview takes. */
export type RetentionCheck = (input: { location: RetentionLocation; rule: RetentionRuleInput }) => Promise<RetentionPreview>;

/** The confirm step; `check` asks the server (settings.retentionPreview unless a test gives another). */
export function useRetentionPreview(check: RetentionCheck = (input) => trpc.settings.retentionPreview.query(input)) {
  const status = ref<'idle' | 'checking' | 'confirming' | 'failed'>('idle');
  const preview = shallowRef<RetentionPreview | null>(null);
  const cause = shallowRef<unknown>(null);
  let pendingSave: (() => Promise<void>) | null = null;
  /** Why the check failed, in the user's language. */
  const error = computed(() => (status.value === 'failed' ? errorMessage(cause.value, i18n.global.t('common.networkError')) : null));
  /** The dialog is open while the user has something to decide. */
  const open = computed(() => status.value === 'confirming' || status.value === 'failed');

  /** Checks `rule` at `location`, then runs `save` at once (nothing deleted) or after confirm(). */
  async function saveAfterCheck(location: RetentionLocation, rule: RetentionRuleInput, save: () => Promise<void>): Promise<void> {
    status.value = 'checking';
    preview.value = null;
    cause.value = null;
    try {
      preview.value = await check({ location, rule });
    } catch (caught) {
      cause.value = caught;
      pendingSave = save;
      status.value = 'failed';
      return;
    }
    if (preview.value.deleted.length === 0) {
      status.value = 'idle';
      await save();
      return;
    }
    pendingSave = save;
    status.value = 'confirming';
  }

  /** The user confirmed: the held save runs. */
  async function confirm(): Promise<void> {
    const save = pendingSave;
    pendingSave = null;
    status.value = 'idle';
    await save?.();
  }

  /** The user cancelled: nothing is saved, the form keeps its edits. */
  function cancel(): void {
    pendingSave = null;
    status.value = 'idle';
  }

  return { status, preview, error, open, saveAfterCheck, confirm, cancel };
}
