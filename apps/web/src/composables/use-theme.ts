/**
 * Light, dark or the system's choice. The choice is stored in localStorage and applied as
 * `data-theme` on <html>; with "system" the CSS follows prefers-color-scheme.
 */
import { readonly, ref } from 'vue';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

const STORAGE_KEY = 'el.theme';

function readStored(): Theme {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return (THEMES as readonly string[]).includes(value ?? '') ? (value as Theme) : 'system';
  } catch {
    return 'system';
  }
}

const theme = ref<Theme>(readStored());

function apply(value: Theme): void {
  if (typeof document === 'undefined') return;
  if (value === 'system') delete document.documentElement.dataset['theme'];
  else document.documentElement.dataset['theme'] = value;
}
apply(theme.value);

/** The current theme and a setter that applies and stores it. */
export function useTheme() {
  function setTheme(value: Theme): void {
    theme.value = value;
    apply(value);
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, value);
    } catch {
      // Storage unavailable: the choice lasts for this page.
    }
  }
  return { theme: readonly(theme), setTheme };
}
