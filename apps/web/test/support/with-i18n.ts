/**
 * Global mount options for component tests: the app's own i18n instance, installed as main.ts
 * installs it, so a test reads the real catalogs and `setLocale()` switches what it mounts.
 * Usage: `mount(Component, { global: withI18n(), props })`. Unmounting would dispose that shared
 * instance (vue-i18n stops its global scope when an app unmounts), so tests leave their wrappers.
 */
import type { Plugin } from 'vue';
import { i18n } from '../../src/i18n/i18n.ts';

/** `global` options that install the app's i18n. */
export function withI18n(): { plugins: Plugin[] } {
  return { plugins: [i18n] };
}
