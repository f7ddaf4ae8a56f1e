/**
 * One archive upload with its progress: idle → uploading → done (with the server's validation)
 * or failed (with the server's verdict, shown in the user's language). Cancelling returns to idle.
 *
 * An upload this composable leaves behind is discarded on the server at once: when a new file is
 * picked, on `reset()` ("Choose another file", "Back") and when the component goes away. So the
 * server keeps no staged copy of a file the user moved on from (a refused upload leaves none), and
 * only a tab that was closed leaves one, until it expires.
 */
import { computed, getCurrentScope, onScopeDispose, ref, shallowRef } from 'vue';
import { errorMessage } from '../api/error-message.ts';
import { trpc } from '../api/trpc-client.ts';
import type { UploadedArchive } from '../api/server-types.ts';
import { uploadArchive, UploadError, type UploadArchiveOptions } from '../api/upload-archive.ts';

export type UploadStatus = 'idle' | 'uploading' | 'done' | 'failed';
type Uploader = (file: Blob, options: UploadArchiveOptions) => Promise<UploadedArchive>;
type Discarder = (uploadId: string) => Promise<unknown>;

const discardOnServer: Discarder = (uploadId) => trpc.restore.discard.mutate({ uploadId });

/**
 * Upload state for one file at a time; `upload` and `discard` are replaceable for tests.
 * `fallbackMessage` is what a failure says when the server never answered (default: nothing).
 */
export function useUpload(
  upload: Uploader = uploadArchive,
  discard: Discarder = discardOnServer,
  fallbackMessage: () => string = () => '',
) {
  const status = ref<UploadStatus>('idle');
  const loaded = ref(0);
  const total = ref(0);
  const result = shallowRef<UploadedArchive | null>(null);
  /** Why the last upload failed: the server's refusal, or a transport error. */
  const failure = shallowRef<unknown>(null);
  /** The failure in the user's language (follows a language switch), or null. */
  const error = computed(() => (status.value === 'failed' ? errorMessage(failure.value, fallbackMessage()) : null));
  const errorCode = computed(() => (failure.value instanceof UploadError ? failure.value.code : null));
  /** The facts the server sent with its refusal (e.g. SEAL_KEY_REQUIRED's `sealedWith`). */
  const errorDetails = computed(() => (failure.value instanceof UploadError ? failure.value.details : {}));
  let controller: AbortController | null = null;
  /** The finished upload now belongs to a restore, which deletes it whatever happens. */
  let handedOver = false;

  const percent = computed(() => (total.value > 0 ? Math.min(100, Math.floor((loaded.value / total.value) * 100)) : 0));

  /** Discards the finished upload this composable holds, if any; the server's answer does not matter. */
  function leave(): Promise<void> {
    const previous = result.value;
    const discardIt = !handedOver;
    result.value = null;
    handedOver = false;
    if (!previous || !discardIt) return Promise.resolve();
    // Expired or already restored: there is nothing left to discard, and nothing to tell the user.
    return discard(previous.uploadId).then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * Uploads `file` in place of any earlier one, with `headers` (a sealed file's name and key;
   * none by default); resolves with the answer, or null when it failed or was cancelled.
   */
  async function start(file: File, headers: Record<string, string> = {}): Promise<UploadedArchive | null> {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    status.value = 'uploading';
    loaded.value = 0;
    total.value = file.size;
    failure.value = null;
    try {
      // The earlier upload goes first, so the server never holds both.
      await leave();
      if (controller !== own) return null;
      const answer = await upload(file, {
        signal: own.signal,
        headers,
        onProgress: (progress) => {
          loaded.value = progress.loaded;
          total.value = progress.total;
        },
      });
      if (controller !== own) {
        // Replaced while the answer was on its way: it was left behind too.
        void discard(answer.uploadId).catch(() => undefined);
        return null;
      }
      result.value = answer;
      status.value = 'done';
      return answer;
    } catch (caught) {
      if (controller !== own) return null;
      if (caught instanceof DOMException && caught.name === 'AbortError') {
        status.value = 'idle';
        return null;
      }
      status.value = 'failed';
      failure.value = caught;
      return null;
    } finally {
      if (controller === own) controller = null;
    }
  }

  /** Stops a running upload, discards a finished one and forgets it. */
  function reset(): Promise<void> {
    controller?.abort();
    controller = null;
    status.value = 'idle';
    loaded.value = 0;
    total.value = 0;
    failure.value = null;
    return leave();
  }

  /**
   * Says a restore now owns the finished upload (restore.start claimed it): it stays shown, and is
   * no longer discarded when it is left, since the restore deletes it when it ends.
   */
  function handOver(): void {
    if (result.value) handedOver = true;
  }

  if (getCurrentScope()) {
    onScopeDispose(() => {
      controller?.abort();
      void leave();
    });
  }

  return { status, loaded, total, percent, result, error, errorCode, errorDetails, start, reset, handOver };
}
