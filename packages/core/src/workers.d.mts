/** Types of workers.mjs (plain JavaScript so build scripts without tsx can import it). */

/** Worker name → absolute path of its `.ts` entry. */
export declare const WORKER_ENTRIES: Readonly<Record<'snapshot-worker' | 'sqlite-task-worker', string>>;
