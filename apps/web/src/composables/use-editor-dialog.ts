/**
 * The state of a settings dialog that adds or edits a stored item with write-only secrets (an
 * offsite target, an alert channel): the form, its field errors, the save in flight and why it
 * failed, the connection test (useTargetTest), the stored item being edited (null when adding)
 * and which of its secrets are set. Each time the dialog opens (`editing` becomes 'new' or an
 * item) the form starts afresh from the item, and errors, the save error and the test are cleared.
 */
import { computed, ref, watch, type Ref } from 'vue';
import { errorMessage } from '../api/error-message.ts';
import { i18n } from '../i18n/i18n.ts';
import { useTargetTest } from './use-target-test.ts';

export interface EditorDialogOptions<Item, Form> {
  /** What the dialog edits: 'new', a stored item, or null while it is closed. */
  editing: () => Item | 'new' | null;
  /** The form for a new item. */
  empty: () => Form;
  /** The form holding a stored item (its secrets empty: they stay as stored). */
  fromItem: (item: Item) => Form;
}

export function useEditorDialog<Item extends { secretsSet: object }, Form, Errors extends object>(
  options: EditorDialogOptions<Item, Form>,
) {
  const form = ref(options.empty()) as Ref<Form>;
  const errors = ref({}) as Ref<Errors>;
  const saving = ref(false);
  const saveError = ref<string | null>(null);
  const test = useTargetTest<{ elapsedMs: number }>();
  const stored = computed<Item | null>(() => {
    const editing = options.editing();
    return editing !== null && editing !== 'new' ? editing : null;
  });
  const secretsSet = computed<Item['secretsSet'] | null>(() => stored.value?.secretsSet ?? null);

  watch(
    options.editing,
    (editing) => {
      if (editing === null) return;
      form.value = editing === 'new' ? options.empty() : options.fromItem(editing);
      errors.value = {} as Errors;
      saveError.value = null;
      test.reset();
    },
    { immediate: true },
  );

  /**
   * Sends the add or update `request` with `saving` on; its answer's name goes to `onSaved`, a
   * failure's text (in the user's language) to `saveError`.
   */
  async function send(request: () => Promise<{ name: string }>, onSaved: (name: string) => void): Promise<void> {
    saving.value = true;
    try {
      const saved = await request();
      onSaved(saved.name);
    } catch (caught) {
      saveError.value = errorMessage(caught, i18n.global.t('common.networkError'));
    } finally {
      saving.value = false;
    }
  }

  return { form, errors, saving, saveError, test, stored, secretsSet, send };
}
