/**
 * The server-side directory browser behind the Backup Path "Browse" dialog (DOCSight's rows had no
 * names and led nowhere: docs/docsight-compatibility.md, D25). States: idle → loading → shown (path,
 * parent, directories) | failed (the server's message, e.g. "not inside an allowed location").
 */
import { computed, ref, shallowRef } from 'vue';
import type { DirectoryListing } from '../api/server-types.ts';
import { trpc } from '../api/trpc-client.ts';
import { errorMessage } from '../api/error-message.ts';
import { browseBreadcrumb } from './browse-breadcrumb.ts';

/** Lists one directory (the backups.browse query). */
export type BrowseDirectoryLister = (path: string | undefined) => Promise<DirectoryListing>;

const listWithServer: BrowseDirectoryLister = (path) => trpc.backups.browse.query(path === undefined ? {} : { path });

/** Browse state for one dialog; `list` is replaceable for tests. */
export function useBrowse(list: BrowseDirectoryLister = listWithServer) {
  const listing = shallowRef<DirectoryListing | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let request = 0;

  const path = computed(() => listing.value?.path ?? '');
  const breadcrumb = computed(() =>
    browseBreadcrumb(
      path.value,
      (listing.value?.roots ?? []).map((root) => root.path),
    ),
  );

  /** Shows `target` (the server's default when undefined); a failure keeps the last listing. */
  async function go(target?: string): Promise<boolean> {
    const own = ++request;
    loading.value = true;
    error.value = null;
    try {
      const answer = await list(target);
      if (own !== request) return false;
      listing.value = answer;
      return true;
    } catch (caught) {
      if (own !== request) return false;
      error.value = errorMessage(caught, 'The directory could not be read.');
      return false;
    } finally {
      if (own === request) loading.value = false;
    }
  }

  /**
   * Opens at `start`, falling back to the server's default location when that fails; the reason
   * `start` could not be shown stays visible until the next navigation.
   */
  async function open(start?: string): Promise<void> {
    listing.value = null;
    if (start !== undefined && start !== '' && (await go(start))) return;
    const failure = error.value;
    if ((await go(undefined)) || error.value === null) error.value = failure;
  }

  /** Goes to the parent directory, if there is one. */
  async function up(): Promise<void> {
    const parent = listing.value?.parent;
    if (parent) await go(parent);
  }

  return { listing, path, breadcrumb, loading, error, go, open, up };
}
