/**
 * `@evidence-locker/harness`: the one way e2e, reliability and bench start and drive the built
 * product. The bundle and its node settings (read from apps/server/bin/node-settings.sh, as the
 * launcher does), a server on a free port, the CLI, the typed client, waiting for a job, uploading
 * an archive, and small tmpfs mounts (full or read-only disks).
 */
export { assertBuilt, LOCKER_LAUNCHER, REPO_ROOT, SERVER_BUNDLE, SERVER_DIR, WEB_INDEX } from './locker-bundle.ts';
export { NODE_SETTINGS_FILE, PRODUCTION_NODE_SETTINGS, readNodeSettings, type NodeSettings } from './node-settings.ts';
export { freePort } from '@evidence-locker/test-servers/free-port';
export { killHard, lockerArgs, spawnLocker, type LockerExit, type LockerProcess, type SpawnLockerOptions } from './spawn-locker.ts';
export { runCli, runCliJson, startCli, type CliRun, type RunCliOptions, type StartedCli } from './run-cli.ts';
export { startServer, type RunningServer, type StartServerOptions } from './start-server.ts';
export {
  createClient,
  type CreateClientOptions,
  type JobSnapshot,
  type LockerClient,
  type RouterInputs,
  type RouterOutputs,
} from './create-client.ts';
export { JobFailedError, waitForJob, waitForJobEnd, type WaitForJobOptions } from './wait-for-job.ts';
export { uploadArchive, type UploadArchiveOptions } from './upload-archive.ts';
export { fillDisk, mountTmpfs, unmountAll } from '@evidence-locker/test-servers/tmpfs';
