/**
 * The server-side directory browser behind the Backup Path "Browse" dialog (DOCSight's rows had no
 * names and led nowhere: docs/docsight-compatibility.md, D25). States: idle → loading → shown (path,
 * parent, directories, free space) | failed (the server's message, e.g. "not inside an allowed
 * location"). "New folder" creates a folder in the shown directory and then shows the new one.
 */
import { computed, ref, shallowRef } from 'vue';
import type { DirectoryListing } from '../api/server-types.ts';
import { trpc } from '../api/trpc-client.ts';
import { errorMessage } from '../api/error-message.ts';
import { browseBreadcrumb } from './browse-breadcrumb.ts';

/** Lists one directory (the backups.browse query). */
export type BrowseDirectoryLister = (path: string | undefined) => Promise<DirectoryListing>;

/** Creates folder `name` in `parent` (the backups.createFolder mutation); returns its path. */
export type BrowseFolderCreator = (parent: string, name: string) => Promise<{ path: string }>;

const listWithServer: BrowseDirectoryLister = (path) => trpc.backups.browse.query(path === undefined ? {} : { path });
const createWithServer: BrowseFolderCreator = (parent, name) => trpc.backups.createFolder.mutate({ parent, name });

/** Browse state for one dialog; `list` and `create` are replaceable for tests. */
export function useBrowse(list: BrowseDirectoryLister = listWithServer, create: BrowseFolderCreator = createWithServer) {
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

  /**
   * Creates folder `name` in the shown directory and shows it, so Select takes it. Throws what the
   * server refused (a taken or invalid name, a read-only disk, …) for the caller to show beside
   * the name.
   */
  async function createFolder(name: string): Promise<void> {
    const parent = listing.value?.path;
    if (parent === undefined) return;
    const created = await create(parent, name);
    await go(created.path);
  }

  return { listing, path, breadcrumb, loading, error, go, open, up, createFolder };
}
