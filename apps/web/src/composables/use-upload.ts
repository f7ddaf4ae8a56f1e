/**
 * One archive upload with its progress: idle → uploading → done (with the server's validation)
 * or failed (with the server's own message, e.g. "Not a gzip file"). Cancelling returns to idle.
 */
import { computed, getCurrentScope, onScopeDispose, ref, shallowRef } from 'vue';
import { uploadArchive, UploadError, type UploadArchiveOptions, type UploadedArchive } from '../api/upload-archive.ts';

export type UploadStatus = 'idle' | 'uploading' | 'done' | 'failed';
type Uploader = (file: Blob, options: UploadArchiveOptions) => Promise<UploadedArchive>;

/** Upload state for one file at a time; `upload` is replaceable for tests. */
export function useUpload(upload: Uploader = uploadArchive) {
  const status = ref<UploadStatus>('idle');
  const loaded = ref(0);
  const total = ref(0);
  const result = shallowRef<UploadedArchive | null>(null);
  /** The server's message, or '' when the request never got an answer. */
  const error = ref<string | null>(null);
  const errorCode = ref<string | null>(null);
  let controller: AbortController | null = null;

  const percent = computed(() => (total.value > 0 ? Math.min(100, Math.floor((loaded.value / total.value) * 100)) : 0));

  /** Uploads `file`; resolves with the answer, or null when it failed or was cancelled. */
  async function start(file: File): Promise<UploadedArchive | null> {
    controller?.abort();
    const own = new AbortController();
    controller = own;
    status.value = 'uploading';
    loaded.value = 0;
    total.value = file.size;
    result.value = null;
    error.value = null;
    errorCode.value = null;
    try {
      const answer = await upload(file, {
        signal: own.signal,
        onProgress: (progress) => {
          loaded.value = progress.loaded;
          total.value = progress.total;
        },
      });
      if (controller !== own) return null;
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
      error.value = caught instanceof UploadError ? caught.message : caught instanceof Error ? caught.message : '';
      errorCode.value = caught instanceof UploadError ? caught.code : null;
      return null;
    } finally {
      if (controller === own) controller = null;
    }
  }

  /** Stops a running upload and forgets any result. */
  function reset(): void {
    controller?.abort();
    controller = null;
    status.value = 'idle';
    loaded.value = 0;
    total.value = 0;
    result.value = null;
    error.value = null;
    errorCode.value = null;
  }

  if (getCurrentScope()) onScopeDispose(() => controller?.abort());

  return { status, loaded, total, percent, result, error, errorCode, start, reset };
}
