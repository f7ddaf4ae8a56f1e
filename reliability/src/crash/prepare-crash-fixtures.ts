/**
 * What every crash trial starts from, made once per run:
 * - the old instance: `locker seed --months 2 --configured` (about 85 MB, so a backup or a restore
 *   takes one to three seconds), copied afresh for each trial;
 * - three archives of other instances to restore: one made here from another seeded instance, and
 *   the two archives made by DOCSight itself (`docsightFixture` of @evidence-locker/core/testing);
 * - the fingerprints a trial compares with: the old instance's, and for each archive every state
 *   its instance may legitimately be in after a restore (its members as archived, and as an
 *   unkilled restore leaves them: migrated, demo mode dropped);
 * - the durations of unkilled runs, from which the kill delays are drawn: CLI and server backup,
 *   CLI restore of each archive, server upload + restore, and the windows from the partial archive
 *   (write phase) or the restore intent (publish) appearing to the end of the run.
 * - for the sealed trials (issue 17): an age identity (its file as `age-keygen` writes it) and the
 *   three archives sealed for it (`<name>.age`).
 * The run uses its own copy of the built bundle (copy-locker-bundle.ts): every command and server
 * of the run is started from `fixtures.bundle`.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { DATA_FILES, generateSealIdentity, identityFileText, sealStream, WORK_PREFIX, type DataFileName } from '@evidence-locker/core';
import { docsightFixture } from '@evidence-locker/core/testing';
import {
  createClient,
  runCli,
  spawnLocker,
  startServer,
  uploadArchive,
  waitForJobEnd,
  type JobSnapshot,
  type LockerClient,
} from '@evidence-locker/harness';
import { RESTORE_INTENT_FILE } from './classify-kill.ts';
import { copyLockerBundle } from './copy-locker-bundle.ts';
import { fingerprintDataDir, type DataDirFingerprint } from './fingerprint-data-dir.ts';
import { watchForEntry } from './watch-for-entry.ts';

const execFileAsync = promisify(execFile);

export const ARCHIVE_NAMES = ['ours', 'docsight-real', 'docsight-demo'] as const;
export type ArchiveName = (typeof ARCHIVE_NAMES)[number];

/** Key files a restore writes afresh (a new session), so no archive fixes their bytes. */
export const SESSION_FILES: readonly DataFileName[] = ['.session_key', '.auth_state'];

const DOCSIGHT_ARCHIVES: Record<Exclude<ArchiveName, 'ours'>, string> = {
  'docsight-real': docsightFixture('a-real-1m').archive,
  'docsight-demo': docsightFixture('b-demo-1m').archive,
};

/** An archive of another instance, and what its instance looks like. */
export interface CrashArchive {
  name: ArchiveName;
  path: string;
  /** Digests each data file may have once the archive's instance is live (SESSION_FILES: any). */
  accepted: Record<DataFileName, Set<string | null>>;
  /** Digest of the `.session_key` the archive carries (null when none): it must never become live. */
  sessionKey: string | null;
  /** An unkilled CLI restore (of `ours`) into a copy of the old instance, ms. */
  restoreMs: number;
  /** From the restore intent's appearance to the end of that run, ms. */
  publishWindowMs: number;
}

/** Durations of unkilled runs, ms. */
export interface CrashTimings {
  cliCreateMs: number;
  /** From the partial archive's appearance to the end of the CLI backup. */
  cliCreateWriteWindowMs: number;
  serverCreateMs: number;
  serverCreateWriteWindowMs: number;
  /** Upload and restore of the `ours` archive through the server. */
  serverRestoreMs: number;
  serverPublishWindowMs: number;
  /** The whole preparation. */
  prepareMs: number;
}

export interface CrashFixtures {
  root: string;
  /** The run's copy of the built bundle (copy-locker-bundle.ts). */
  bundle: string;
  oldDataDir: string;
  old: DataDirFingerprint;
  archives: Record<ArchiveName, CrashArchive>;
  /** The sealed trials' key and archives. */
  sealed: SealedCrashFixtures;
  timings: CrashTimings;
}

/** What the sealed trials use: an identity, its file, and every archive sealed for it. */
export interface SealedCrashFixtures {
  identity: string;
  recipient: string;
  /** The identity in an age identity file (what `--identity` takes). */
  identityFile: string;
  /** Each archive sealed for `recipient`, named `<its name>.age`. */
  archives: Record<ArchiveName, string>;
}

/** Seals the archives for a new identity under `dir`. */
async function sealArchives(dir: string, archives: Record<ArchiveName, CrashArchive>): Promise<SealedCrashFixtures> {
  await fs.mkdir(dir);
  const { identity, recipient } = await generateSealIdentity();
  const identityFile = path.join(dir, 'key.txt');
  await fs.writeFile(identityFile, await identityFileText(identity), { mode: 0o600 });
  const sealed = {} as Record<ArchiveName, string>;
  for (const name of ARCHIVE_NAMES) {
    const source = archives[name].path;
    sealed[name] = path.join(dir, `${path.basename(source)}.age`);
    await pipeline(sealStream(createReadStream(source), { recipients: [recipient] }), createWriteStream(sealed[name]));
  }
  return { identity, recipient, identityFile, archives: sealed };
}

const isPartial = (name: string) => name.startsWith(`${WORK_PREFIX}partial-`);
const isIntent = (name: string) => name === RESTORE_INTENT_FILE;

/** A fresh copy of the old instance at `target`. */
export async function copyOldDataDir(fixtures: Pick<CrashFixtures, 'oldDataDir'>, target: string): Promise<void> {
  await fs.cp(fixtures.oldDataDir, target, { recursive: true });
}

/** Makes everything under a new temp dir; `removeCrashFixtures` deletes it. */
export async function prepareCrashFixtures(): Promise<CrashFixtures> {
  const started = performance.now();
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'el-crash-'));
  try {
    const bundle = await copyLockerBundle(path.join(root, 'app'));
    const oldDataDir = path.join(root, 'old');
    const otherDataDir = path.join(root, 'other');
    const work = path.join(root, 'measure');
    await fs.mkdir(work);
    const ours = path.join(root, 'ours.tar.gz');
    // Independent work first, two at a time (the machine has two cores): the instances, and the
    // states the DOCSight archives restore to (into empty dirs: the result does not depend on what
    // the data dir held, only the pre-restore backup does, and that is not needed here).
    const restoredStates = new Map<ArchiveName, DataDirFingerprint>();
    await Promise.all([
      runCli(['seed', '--data-dir', oldDataDir, '--months', '2', '--configured', '--seed', '101', '--json'], { bundle }),
      (async () => {
        await runCli(
          [
            'seed',
            '--data-dir',
            otherDataDir,
            '--months',
            '1',
            '--configured',
            '--seed',
            '202',
            '--modem-password',
            'other-password',
            '--json',
          ],
          { bundle },
        );
        await runCli(['backup', 'create', '--data-dir', otherDataDir, '--output', ours, '--json'], { bundle });
        for (const name of ['docsight-real', 'docsight-demo'] as const) {
          const dir = path.join(work, `restored-${name}`);
          await runCli(
            ['backup', 'restore', DOCSIGHT_ARCHIVES[name], '--data-dir', dir, '--backup-dir', path.join(work, 'unused-backups'), '--json'],
            { bundle },
          );
          restoredStates.set(name, await fingerprintDataDir(dir));
        }
      })(),
    ]);
    await fs.rm(otherDataDir, { recursive: true, force: true });
    const old = await fingerprintDataDir(oldDataDir);
    const fixtures = { oldDataDir };

    // Unkilled runs as the trials make them, one at a time: a CLI backup of the old instance, then
    // (same copy, still old) the CLI restore of `ours`; a server's backup job, then its upload and
    // restore of `ours`.
    const cliDir = path.join(work, 'cli-data');
    const cliBackups = path.join(work, 'cli-backups');
    await copyOldDataDir(fixtures, cliDir);
    await fs.mkdir(cliBackups);
    const create = await timedRun(
      bundle,
      ['backup', 'create', '--data-dir', cliDir, '--backup-dir', cliBackups, '--json'],
      cliBackups,
      isPartial,
    );
    const restore = await timedRun(
      bundle,
      ['backup', 'restore', ours, '--data-dir', cliDir, '--backup-dir', cliBackups, '--json'],
      cliDir,
      isIntent,
    );
    restoredStates.set('ours', await fingerprintDataDir(cliDir));

    const serverDir = path.join(work, 'server-data');
    const serverBackups = path.join(work, 'server-backups');
    await copyOldDataDir(fixtures, serverDir);
    await fs.mkdir(serverBackups);
    const server = await startServer({ dataDir: serverDir, backupDir: serverBackups, bundle });
    const client = createClient(server.url);
    let serverCreate: { ms: number; windowMs: number };
    let serverRestore: { ms: number; windowMs: number };
    try {
      serverCreate = await timedJob(client, serverBackups, isPartial, () => client.backups.create.mutate());
      serverRestore = await timedJob(client, serverDir, isIntent, async () => {
        const uploadId = await uploadArchive(server.url, ours);
        return client.restore.start.mutate({ uploadId });
      });
    } finally {
      await server.stop();
    }
    const serverRestored = await fingerprintDataDir(serverDir);

    const archives = {} as Record<ArchiveName, CrashArchive>;
    for (const name of ARCHIVE_NAMES) {
      const archivePath = name === 'ours' ? ours : DOCSIGHT_ARCHIVES[name];
      const raw = await fingerprintArchiveMembers(archivePath, path.join(work, `raw-${name}`));
      const restored = restoredStates.get(name)!;
      const accepted = {} as Record<DataFileName, Set<string | null>>;
      for (const file of DATA_FILES) {
        accepted[file] = new Set([raw.files[file], restored.files[file]]);
        if (name === 'ours') accepted[file].add(serverRestored.files[file]);
      }
      archives[name] = {
        name,
        path: archivePath,
        accepted,
        sessionKey: raw.files['.session_key'],
        // Measured for `ours`; the DOCSight archives are smaller, but a restore's time goes mostly
        // into the pre-restore backup of the old instance, the same for all three.
        restoreMs: restore.ms,
        publishWindowMs: restore.windowMs,
      };
    }
    await fs.rm(work, { recursive: true, force: true });
    const sealed = await sealArchives(path.join(root, 'sealed'), archives);

    return {
      root,
      bundle,
      oldDataDir,
      old,
      archives,
      sealed,
      timings: {
        cliCreateMs: create.ms,
        cliCreateWriteWindowMs: create.windowMs,
        serverCreateMs: serverCreate.ms,
        serverCreateWriteWindowMs: serverCreate.windowMs,
        serverRestoreMs: serverRestore.ms,
        serverPublishWindowMs: serverRestore.windowMs,
        prepareMs: performance.now() - started,
      },
    };
  } catch (error) {
    await fs.rm(root, { recursive: true, force: true });
    throw error;
  }
}

/** Deletes everything the fixtures made. */
export async function removeCrashFixtures(fixtures: CrashFixtures | undefined): Promise<void> {
  if (fixtures) await fs.rm(fixtures.root, { recursive: true, force: true });
}

/** The archive's members as they are, unpacked with GNU tar into `dir`, fingerprinted. */
async function fingerprintArchiveMembers(archive: string, dir: string): Promise<DataDirFingerprint> {
  await fs.mkdir(dir, { recursive: true });
  await execFileAsync('tar', ['-xzf', archive, '-C', dir]);
  return fingerprintDataDir(dir);
}

/** Runs `locker <args>` unkilled; the window runs from the first matching entry in `watchDir` to the exit. */
async function timedRun(bundle: string, args: string[], watchDir: string, matches: (name: string) => boolean) {
  const watch = watchForEntry(watchDir, matches);
  const started = performance.now();
  const run = spawnLocker(args, { bundle });
  const { code } = await run.exited;
  const ended = performance.now();
  watch.close();
  if (code !== 0) throw new Error(`locker ${args.join(' ')} exited ${code}:\n${run.output()}`);
  const seenAt = await Promise.race([watch.seen, Promise.resolve(undefined)]);
  if (seenAt === undefined) throw new Error(`locker ${args.join(' ')} never created the entry the trials wait for`);
  return { ms: ended - started, windowMs: ended - seenAt };
}

/** Runs a job unkilled; the window runs from the first matching entry in `watchDir` to the job's end. */
async function timedJob(client: LockerClient, watchDir: string, matches: (name: string) => boolean, start: () => Promise<JobSnapshot>) {
  const watch = watchForEntry(watchDir, matches);
  const started = performance.now();
  const job = await waitForJobEnd(client, (await start()).id, { timeoutMs: 120_000 });
  const ended = performance.now();
  watch.close();
  if (job.state !== 'succeeded') throw new Error(`the ${job.kind} job ${job.state}: ${JSON.stringify(job.error)}`);
  const seenAt = await Promise.race([watch.seen, Promise.resolve(undefined)]);
  if (seenAt === undefined) throw new Error(`the ${job.kind} job never created the entry the trials wait for`);
  return { ms: ended - started, windowMs: ended - seenAt };
}
