/**
 * Failures of `node:fs/promises` calls that cannot be made for real here: the tests run as root,
 * for whom every readdir, access, open, mkdir and unlink succeeds, and a disk does not fill or turn
 * read-only on request. A test file mocks the module once,
 *
 *   vi.mock('node:fs/promises', async (importOriginal) =>
 *     (await import('@evidence-locker/core/testing/inject-fs-fault')).fsPromisesWithFaults(importOriginal));
 *
 * and a test then calls `injectFsFault('readdir', 'EACCES')`. Only named imports of the mocked
 * functions are affected (the code under test imports them that way).
 */
import type * as FsPromises from 'node:fs/promises';
import { onTestFinished } from 'vitest';

/** The `node:fs/promises` functions a test can make fail. */
export type FaultyFsCall = 'access' | 'readdir' | 'unlink' | 'open' | 'readFile' | 'mkdir' | 'statfs';

const faults = new Map<FaultyFsCall, { code: string; when: (target: string) => boolean }>();

/**
 * Makes `call` reject with an error of `code` (`EACCES: injected`) until the current test
 * finishes; `when` picks the paths it fails for (default: every path).
 */
export function injectFsFault(call: FaultyFsCall, code: string, when: (target: string) => boolean = () => true): void {
  faults.set(call, { code, when });
  onTestFinished(() => {
    faults.delete(call);
  });
}

/** The vi.mock factory: the real module, with the faultable calls failing when a test said so. */
export async function fsPromisesWithFaults(importOriginal: () => Promise<unknown>): Promise<typeof FsPromises> {
  const actual = (await importOriginal()) as typeof FsPromises;
  const faultable = <Call extends FaultyFsCall>(call: Call): (typeof FsPromises)[Call] => {
    const real = actual[call] as (target: unknown, ...rest: unknown[]) => Promise<unknown>;
    return (async (target: unknown, ...rest: unknown[]) => {
      const fault = faults.get(call);
      if (fault?.when(String(target))) {
        throw Object.assign(new Error(`${fault.code}: injected`), { code: fault.code });
      }
      return real(target, ...rest);
    }) as (typeof FsPromises)[Call];
  };
  return {
    ...actual,
    access: faultable('access'),
    readdir: faultable('readdir'),
    unlink: faultable('unlink'),
    open: faultable('open'),
    readFile: faultable('readFile'),
    mkdir: faultable('mkdir'),
    statfs: faultable('statfs'),
  };
}
