/**
 * The checks every directory path a user sends must pass before it reaches the file system (the
 * backup path to save, a directory to browse): at most 4096 characters and no NUL byte. A NUL
 * cannot be part of a file name (the system call would end the name there), and Node's fs calls
 * throw a TypeError for it, which came back as a 500 with a stack in the log; refused here it is a
 * 400 validation error like any other bad input. A backup_path read from config.json goes through
 * settings/check-backup-path.ts, which refuses a NUL the same way.
 */
import type { z } from 'zod';

/** Longest path accepted (Linux's PATH_MAX). */
export const MAX_PATH_LENGTH = 4096;

/** `schema` (a string schema) with the user-path checks appended. */
export function userPath(schema: z.ZodString): z.ZodString {
  return schema
    .max(MAX_PATH_LENGTH, { error: `A path may have at most ${MAX_PATH_LENGTH} characters.` })
    .refine((value) => !value.includes('\0'), { error: 'A path must not contain a NUL byte.' });
}
