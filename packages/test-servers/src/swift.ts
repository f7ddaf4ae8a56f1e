/**
 * A real S3-compatible object store for tests: OpenStack Swift 2.30 with its s3api middleware,
 * from Debian's swift-* packages (installed when missing), as a single node on 127.0.0.1
 * (../shared/notes/test-services.md has what it needs and why):
 *
 * - rings with one replica and one device each, in a temp dir that is `swift_dir`;
 * - account, container and object servers, each one process (`workers = 0`) on its own free port,
 *   and the proxy with s3api and tempauth; memcached on its own port (without it every request
 *   waits for a refused connection);
 * - every process runs `/usr/bin/python3` (PYTHONPATH/PYTHONHOME unset: the `python3` on PATH may
 *   be another interpreter without Swift), logs to a file (`-v`; there is no /dev/log), and is
 *   stopped by the pid this module started, never by name.
 *
 * Two tempauth users on account `test`: `test:tester` (.admin: owns every bucket) and
 * `test:reader` (no .admin; may read, list and nothing else in the buckets `createBucket` makes,
 * through their read ACL), so a test can meet S3's AccessDenied on a write.
 *
 * `objectDeviceSize` puts the object server's device on a tmpfs of that size (mounting needs root
 * or passwordless sudo), and `fillObjectDevice` takes its free space, so a test can meet a full disk.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess, type StartedProcess } from './child-process.ts';
import { ensureDebianPackages } from './debian-packages.ts';
import { freePort, waitForPort } from './free-port.ts';
import { fillDisk, mountTmpfs, unmountTmpfs } from './tmpfs.ts';

const PYTHON = '/usr/bin/python3';
const MEMCACHED = '/usr/bin/memcached';
const SERVERS = ['account', 'container', 'object'] as const;
type ServerKind = (typeof SERVERS)[number];
const PROGRAMS = {
  proxy: '/usr/bin/swift-proxy-server',
  account: '/usr/bin/swift-account-server',
  container: '/usr/bin/swift-container-server',
  object: '/usr/bin/swift-object-server',
};
/** What a fresh machine gets with apt-get install (debian-packages.ts): swift-proxy, the storage servers, memcached. */
const PACKAGES = ['swift-proxy', 'swift-account', 'swift-container', 'swift-object', 'python3-swift', 'memcached'];
const ACCOUNT = 'test';

export interface StartSwiftOptions {
  /** Put the object server's device on a tmpfs of this size (`mount -o size=`, e.g. `64m`); default none (a plain temp dir). */
  objectDeviceSize?: string;
  /** How long to wait for the first answer; default 60 s. */
  startTimeoutMs?: number;
}

export interface S3Credentials {
  /** `ACCOUNT:USER`, as s3api reads tempauth users. */
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RunningSwift extends S3Credentials {
  /** `http://127.0.0.1:PORT`: the proxy, answering S3 (path-style) and Swift's own API. */
  endpoint: string;
  region: 'us-east-1';
  /** A bucket made at start (readable by `reader`). */
  bucket: string;
  /** A user without write permission: it may list and read the buckets `createBucket` makes. */
  reader: S3Credentials;
  /**
   * Makes a bucket (a Swift container) that `reader` may read but not write; `quotaBytes` caps the
   * bytes it holds (container_quotas: a PutObject beyond it is answered 413, S3's EntityTooLarge;
   * parts of a multipart upload live in another container and escape it).
   */
  createBucket(name: string, options?: { quotaBytes?: number }): Promise<void>;
  /** The object server's device directory (on the tmpfs when `objectDeviceSize` was given). */
  objectDevice: string;
  /**
   * Takes every free byte of the object device with one file (only with `objectDeviceSize`) and
   * returns a function that frees them again.
   */
  fillObjectDevice(): () => void;
  /** The pid of the proxy now running (changes with startProxy). */
  proxyPid(): number;
  /** Kills the proxy with SIGKILL (a crash: no clean shutdown) and resolves once it exited. */
  killProxy(): Promise<void>;
  /** Starts the proxy again on the same port after killProxy and resolves once it answers. */
  startProxy(): Promise<void>;
  /** The last lines of every server's log, for failure messages. */
  logTail(): string;
  /** Stops every process this started (their pids only), unmounts the tmpfs and removes the temp dir. */
  stop(): Promise<void>;
}

/** The environment Swift's commands run in: Debian's python3 with its own modules. */
function swiftEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  return env;
}

/** /etc/swift/swift.conf is always read from /etc: the package ships one; a minimal one when it does not. */
function ensureSwiftConf(): void {
  const file = '/etc/swift/swift.conf';
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    '[swift-hash]\nswift_hash_path_suffix = changeme\nswift_hash_path_prefix = changeme\n\n' +
      '[storage-policy:0]\nname = Policy-0\ndefault = yes\n',
  );
}

/**
 * Builds `KIND.ring.gz` in `etcDir` for every server: one replica, one device `d1` at
 * 127.0.0.1:PORT. One Python process with Swift's RingBuilder (what `swift-ring-builder create 8 1 0`,
 * `add r1z1-127.0.0.1:PORT/d1 1` and `rebalance` do), not nine runs of the command: each starts
 * Python and imports Swift, over a second apiece here.
 */
function buildRings(etcDir: string, ports: Record<ServerKind, number>): void {
  const script = [
    'import json, os, sys',
    'from swift.common.ring import RingBuilder',
    'etc, ports = sys.argv[1], json.loads(sys.argv[2])',
    'for kind, port in ports.items():',
    '    builder = RingBuilder(8, 1, 0)',
    "    builder.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 1})",
    '    builder.rebalance()',
    "    builder.save(os.path.join(etc, kind + '.builder'))",
    "    builder.get_ring().save(os.path.join(etc, kind + '.ring.gz'))",
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', script, etcDir, JSON.stringify(ports)], { encoding: 'utf8', env: swiftEnv(), cwd: etcDir });
  const missing = SERVERS.filter((kind) => !fs.existsSync(path.join(etcDir, `${kind}.ring.gz`)));
  if (run.status !== 0 || missing.length > 0) {
    throw new Error(
      `Building Swift's rings failed (exit ${run.status}; missing ${missing.join(', ') || 'none'}): ${run.stdout}${run.stderr}`,
    );
  }
}

/** The `[DEFAULT]` section every server shares. */
function defaults(etcDir: string, port: number, devices: string): string {
  return [
    '[DEFAULT]',
    'bind_ip = 127.0.0.1',
    `bind_port = ${port}`,
    'workers = 0',
    `user = ${os.userInfo().username}`,
    `swift_dir = ${etcDir}`,
    `devices = ${devices}`,
    'mount_check = false',
    'log_level = INFO',
    '',
  ].join('\n');
}

function proxyConf(etcDir: string, port: number, memcachedPort: number, secrets: { admin: string; reader: string }): string {
  const filters = [
    'catch_errors',
    'gatekeeper',
    'healthcheck',
    'proxy-logging',
    'listing_formats',
    'copy',
    'container-quotas',
    'dlo',
    'versioned_writes',
  ];
  return [
    defaults(etcDir, port, path.join(etcDir, 'unused')),
    '[pipeline:main]',
    'pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy container-quotas slo dlo versioned_writes proxy-logging proxy-server',
    '',
    '[app:proxy-server]',
    'use = egg:swift#proxy',
    'account_autocreate = true',
    // One object server has no other to stand in: suppressing it after a 507 (a full disk) would
    // answer 503 to everything for a minute after the disk has room again.
    'error_suppression_interval = 0',
    '',
    '[filter:tempauth]',
    'use = egg:swift#tempauth',
    `user_${ACCOUNT}_tester = ${secrets.admin} .admin`,
    `user_${ACCOUNT}_reader = ${secrets.reader}`,
    '',
    '[filter:s3api]',
    'use = egg:swift#s3api',
    'location = us-east-1',
    'max_upload_part_num = 10000',
    '',
    '[filter:slo]',
    'use = egg:swift#slo',
    'max_manifest_segments = 10000',
    '',
    '[filter:cache]',
    'use = egg:swift#memcache',
    `memcache_servers = 127.0.0.1:${memcachedPort}`,
    '',
    ...filters.flatMap((name) => [`[filter:${name}]`, `use = egg:swift#${name.replace('-', '_')}`, '']),
  ].join('\n');
}

function serverConf(etcDir: string, kind: ServerKind, port: number, devices: string): string {
  return [
    defaults(etcDir, port, devices),
    '[pipeline:main]',
    `pipeline = ${kind}-server`,
    '',
    `[app:${kind}-server]`,
    `use = egg:swift#${kind}`,
    '',
  ].join('\n');
}

/** Logs in through tempauth's own API (`/auth/v1.0`): the storage URL and a token, or null when it does not answer yet. */
async function swiftLogin(endpoint: string, user: string, key: string): Promise<{ storageUrl: string; token: string } | null> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}/auth/v1.0`, { headers: { 'X-Auth-User': user, 'X-Auth-Key': key } });
  } catch {
    return null;
  }
  const storageUrl = response.headers.get('x-storage-url');
  const token = response.headers.get('x-auth-token');
  if (response.status !== 200 || storageUrl === null || token === null) return null;
  return { storageUrl, token };
}

/** Starts memcached, the three storage servers and the proxy, and resolves once Swift stores and lists. */
export async function startSwift(options: StartSwiftOptions = {}): Promise<RunningSwift> {
  ensureDebianPackages(PACKAGES, [PYTHON, MEMCACHED, ...Object.values(PROGRAMS)]);
  ensureSwiftConf();
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'locker-swift-'));
  const etcDir = path.join(root, 'etc');
  const devices = path.join(root, 'devices');
  const objectDevices = path.join(root, 'object-devices');
  const logDir = path.join(root, 'log');
  for (const dir of [etcDir, path.join(devices, 'd1'), objectDevices, logDir]) fs.mkdirSync(dir, { recursive: true });
  const objectDevice = path.join(objectDevices, 'd1');
  let mounted = false;
  const processes: StartedProcess[] = [];
  let proxy: StartedProcess | undefined;

  const stopAll = async (): Promise<void> => {
    await Promise.all([...processes].reverse().map((started) => started.stop()));
    if (mounted) unmountTmpfs(objectDevice);
    mounted = false;
    fs.rmSync(root, { recursive: true, force: true });
  };
  const logTail = (): string =>
    fs
      .readdirSync(logDir)
      .map((name) => `--- ${name}\n${fs.readFileSync(path.join(logDir, name), 'utf8').slice(-1500)}`)
      .join('\n');

  try {
    fs.mkdirSync(objectDevice);
    if (options.objectDeviceSize !== undefined) {
      mountTmpfs(objectDevice, options.objectDeviceSize);
      mounted = true;
    }
    const memcachedPort = await freePort();
    const ports = { account: await freePort(), container: await freePort(), object: await freePort() };
    const proxyPort = await freePort();
    const secrets = { admin: randomBytes(12).toString('hex'), reader: randomBytes(12).toString('hex') };
    buildRings(etcDir, ports);
    for (const kind of SERVERS) {
      fs.writeFileSync(
        path.join(etcDir, `${kind}-server.conf`),
        serverConf(etcDir, kind, ports[kind], kind === 'object' ? objectDevices : devices),
      );
    }
    fs.writeFileSync(path.join(etcDir, 'proxy-server.conf'), proxyConf(etcDir, proxyPort, memcachedPort, secrets));

    const memcachedArgs = ['-l', '127.0.0.1', '-p', String(memcachedPort), '-U', '0', '-m', '64'];
    if (process.getuid?.() === 0) memcachedArgs.push('-u', 'root');
    processes.push(startProcess(MEMCACHED, memcachedArgs, { logFile: path.join(logDir, 'memcached.log') }));
    for (const kind of SERVERS) {
      const conf = path.join(etcDir, `${kind}-server.conf`);
      processes.push(startProcess(PYTHON, [PROGRAMS[kind], conf, '-v'], { logFile: path.join(logDir, `${kind}.log`), env: swiftEnv() }));
    }
    const launchProxy = async (): Promise<void> => {
      const conf = path.join(etcDir, 'proxy-server.conf');
      proxy = startProcess(PYTHON, [PROGRAMS.proxy, conf, '-v'], { logFile: path.join(logDir, 'proxy.log'), env: swiftEnv() });
      processes.push(proxy);
      const started = proxy;
      await waitForPort(proxyPort, startTimeoutMs, () => started.alive());
    };
    await launchProxy();
    const allAlive = (): boolean => processes.every((started) => started.alive());
    await Promise.all(
      [memcachedPort, ports.account, ports.container, ports.object].map((port) => waitForPort(port, startTimeoutMs, allAlive)),
    );

    const endpoint = `http://127.0.0.1:${proxyPort}`;
    const adminUser = `${ACCOUNT}:tester`;
    const readerUser = `${ACCOUNT}:reader`;
    /** Logs in as the admin, retrying until the proxy and the account server answer. */
    const adminLogin = async (): Promise<{ storageUrl: string; token: string }> => {
      const deadline = Date.now() + startTimeoutMs;
      for (;;) {
        const login = await swiftLogin(endpoint, adminUser, secrets.admin);
        if (login !== null) return login;
        if (!allAlive()) throw new Error('A Swift process exited during start.');
        if (Date.now() > deadline) throw new Error(`Swift's proxy did not log in ${adminUser} within ${startTimeoutMs} ms.`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const createBucket = async (name: string, bucketOptions: { quotaBytes?: number } = {}): Promise<void> => {
      const { storageUrl, token } = await adminLogin();
      const url = `${storageUrl}/${encodeURIComponent(name)}`;
      const headers: Record<string, string> = { 'X-Auth-Token': token, 'X-Container-Read': readerUser };
      if (bucketOptions.quotaBytes !== undefined) headers['X-Container-Meta-Quota-Bytes'] = String(bucketOptions.quotaBytes);
      const put = await fetch(url, { method: 'PUT', headers });
      if (put.status !== 201 && put.status !== 202)
        throw new Error(`Swift refused to create container ${name}: ${put.status} ${await put.text()}`);
      // Reading the listing back proves the container server answers for it.
      const list = await fetch(url, { headers: { 'X-Auth-Token': token } });
      if (list.status !== 200 && list.status !== 204)
        throw new Error(`Swift does not list container ${name}: ${list.status} ${await list.text()}`);
    };
    const bucket = `locker-${randomBytes(4).toString('hex')}`;
    await createBucket(bucket);

    return {
      endpoint,
      region: 'us-east-1',
      accessKeyId: adminUser,
      secretAccessKey: secrets.admin,
      bucket,
      reader: { accessKeyId: readerUser, secretAccessKey: secrets.reader },
      createBucket,
      objectDevice,
      fillObjectDevice() {
        if (!mounted)
          throw new Error('fillObjectDevice needs startSwift({ objectDeviceSize }): the object device is not a tmpfs of its own.');
        const file = fillDisk(objectDevice);
        return () => fs.rmSync(file, { force: true });
      },
      proxyPid() {
        const pid = proxy?.child.pid;
        if (pid === undefined || !proxy?.alive()) throw new Error('Swift proxy is not running.');
        return pid;
      },
      async killProxy() {
        if (proxy === undefined || !proxy.alive()) return;
        const killed = proxy;
        processes.splice(processes.indexOf(killed), 1);
        killed.child.kill('SIGKILL');
        await killed.stop();
      },
      async startProxy() {
        if (proxy?.alive()) throw new Error('Swift proxy is still running.');
        await launchProxy();
        await adminLogin();
      },
      logTail,
      stop: stopAll,
    };
  } catch (error) {
    const tail = logTail();
    await stopAll();
    throw new Error(`Swift did not start: ${error instanceof Error ? error.message : String(error)}\n${tail}`, { cause: error });
  }
}
