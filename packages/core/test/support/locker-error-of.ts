/** Awaiting a failure that must be one of core's coded errors. */
import { expect } from 'vitest';
import { LockerError } from '../../src/errors.ts';

/** The error `promise` rejects with, asserted to be a LockerError; a failed expectation when it resolves. */
export async function lockerErrorOf(promise: Promise<unknown>): Promise<LockerError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LockerError);
  return error as LockerError;
}
