import { describe, expect, it } from 'vitest';
import { nextTick, ref } from 'vue';
import { i18n } from '../i18n/i18n.ts';
import { useEditorDialog } from './use-editor-dialog.ts';

interface Item {
  id: string;
  name: string;
  secretsSet: { password: boolean };
}
interface Form {
  name: string;
  password: string;
}

const STORED: Item = { id: 'a', name: 'NAS', secretsSet: { password: true } };

function dialog(start: Item | 'new' | null = null) {
  const editing = ref<Item | 'new' | null>(start);
  const editor = useEditorDialog<Item, Form, Partial<Record<keyof Form, string>>>({
    editing: () => editing.value,
    empty: () => ({ name: '', password: '' }),
    fromItem: (item) => ({ name: item.name, password: '' }),
  });
  return { editing, editor };
}

describe('useEditorDialog', () => {
  it('starts each opening afresh from the item, or empty for a new one, and clears what the last one left', async () => {
    const { editing, editor } = dialog(STORED);
    expect(editor.form.value).toEqual({ name: 'NAS', password: '' });
    expect(editor.stored.value).toEqual(STORED);
    expect(editor.secretsSet.value).toEqual({ password: true });

    editor.form.value.name = 'typed';
    editor.errors.value = { name: 'alerts.errors.nameEmpty' };
    editor.saveError.value = 'refused';
    editing.value = null;
    await nextTick();
    expect(editor.form.value.name).toBe('typed');

    editing.value = 'new';
    await nextTick();
    expect(editor.form.value).toEqual({ name: '', password: '' });
    expect(editor.errors.value).toEqual({});
    expect(editor.saveError.value).toBeNull();
    expect(editor.stored.value).toBeNull();
    expect(editor.secretsSet.value).toBeNull();
    expect(editor.test.status.value).toBe('idle');
  });

  it('hands a saved name on, and keeps a failed save’s reason, with saving on only meanwhile', async () => {
    const { editor } = dialog('new');
    const saved: string[] = [];
    let savingMeanwhile = false;
    await editor.send(
      () => {
        savingMeanwhile = editor.saving.value;
        return Promise.resolve({ name: 'Phone' });
      },
      (name) => saved.push(name),
    );
    expect(saved).toEqual(['Phone']);
    expect(savingMeanwhile).toBe(true);
    expect(editor.saving.value).toBe(false);
    expect(editor.saveError.value).toBeNull();

    await editor.send(
      () => Promise.reject(new Error('Another target is already named "NAS".')),
      (name) => saved.push(name),
    );
    expect(saved).toEqual(['Phone']);
    expect(editor.saving.value).toBe(false);
    expect(editor.saveError.value).toBe('Another target is already named "NAS".');

    await editor.send(
      () => Promise.reject(new TypeError('Failed to fetch')),
      (name) => saved.push(name),
    );
    expect(editor.saveError.value).toBe(i18n.global.t('common.networkError'));
  });
});
