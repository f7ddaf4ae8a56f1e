/**
 * A second real WebDAV server for tests: Debian's Apache with mod_dav_fs (`apache2`, installed when
 * missing), a throwaway config with its own ServerRoot, PidFile, lock database and port, run as one
 * foreground process (`-X`, no children) and stopped by the pid this started.
 *
 * It exists for what rclone cannot show: rclone's WebDAV (golang.org/x/net/webdav) answers a PUT
 * whose write failed, a full disk included, with a bare 405, while mod_dav_fs answers ENOSPC with
 * 507 Insufficient Storage, as Nextcloud does for a full quota.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess } from './child-process.ts';
import { ensureDebianPackages } from './debian-packages.ts';
import { freePort, waitForPort } from './free-port.ts';
import type { RunningWebdav, StartWebdavOptions } from './webdav.ts';

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

/** Starts Apache mod_dav serving `rootDir` on a free port of 127.0.0.1; resolves once it listens. */
export async function startApacheDav(options: StartWebdavOptions = {}): Promise<RunningWebdav> {
  ensureDebianPackages(['apache2'], [APACHE]);
  const username = options.user ?? 'locker';
  const password = options.pass ?? 'webdav-secret';
  const ownRoot = options.rootDir === undefined;
  const rootDir = options.rootDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'locker-apache-dav-'));
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'locker-apache-dav-state-'));
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  // As root Apache serves as another user (www-data), which must be able to write the root and its lock database.
  const lockDir = path.join(stateDir, 'lock');
  fs.mkdirSync(lockDir);
  // (its parents must let it pass: mkdtemp makes 0700 directories).
  if (asRoot) {
    fs.chmodSync(stateDir, 0o755);
    for (const dir of [rootDir, lockDir]) fs.chownSync(dir, 33, 33);
  }
  // mod_unixd (User, Group) is compiled into Debian's apache2.
  const modules = ['mpm_event', 'authz_core', 'authn_core', 'authn_file', 'auth_basic', 'authz_user', 'dav', 'dav_fs'];
  const access =
    username === ''
      ? 'Require all granted'
      : [
          'AuthType Basic',
          'AuthName "locker tests"',
          `AuthUserFile ${path.join(stateDir, 'htpasswd')}`,
          options.readOnly ? '<Limit GET HEAD OPTIONS PROPFIND>\n  Require valid-user\n</Limit>' : 'Require valid-user',
        ].join('\n');
  const readOnly = options.readOnly ? '<LimitExcept GET HEAD OPTIONS PROPFIND>\n  Require all denied\n</LimitExcept>' : '';
  const config = [
    `ServerRoot ${stateDir}`,
    `Listen 127.0.0.1:${port}`,
    'ServerName 127.0.0.1',
    `PidFile ${path.join(stateDir, 'httpd.pid')}`,
    `ErrorLog ${path.join(stateDir, 'error.log')}`,
    `Mutex file:${stateDir} default`,
    `DefaultRuntimeDir ${stateDir}`,
    ...modules.map((name) => `LoadModule ${name}_module ${MODULES}/mod_${name}.so`),
    ...(asRoot ? ['User www-data', 'Group www-data'] : []),
    `DavLockDB ${path.join(lockDir, 'DavLock')}`,
    `DocumentRoot ${rootDir}`,
    `<Directory ${rootDir}>`,
    'Dav On',
    access,
    readOnly,
    '</Directory>',
  ].join('\n');
  const configFile = path.join(stateDir, 'httpd.conf');
  fs.writeFileSync(configFile, `${config}\n`);
  const sha1 = createHash('sha1').update(password).digest('base64');
  fs.writeFileSync(path.join(stateDir, 'htpasswd'), `${username}:{SHA}${sha1}\n`, { mode: 0o644 });

  const server = startProcess(APACHE, ['-X', '-f', configFile], { logFile: path.join(stateDir, 'apache.log') });
  try {
    await waitForPort(port, 20_000, () => server.alive());
  } catch (error) {
    await server.stop();
    const errorLog = fs.existsSync(path.join(stateDir, 'error.log')) ? fs.readFileSync(path.join(stateDir, 'error.log'), 'utf8') : '';
    throw new Error(`Apache did not start: ${String(error)}\n${server.logTail()}\n${errorLog.slice(-2000)}`, { cause: error });
  }
  const pid = server.child.pid;
  if (pid === undefined) throw new Error('Apache has no pid');
  return {
    url: `http://127.0.0.1:${port}/`,
    rootDir,
    username,
    password,
    pid,
    alive: () => server.alive(),
    logTail: () => `${server.logTail()}\n${fs.readFileSync(path.join(stateDir, 'error.log'), 'utf8').slice(-2000)}`,
    async stop() {
      await server.stop();
      if (ownRoot) fs.rmSync(rootDir, { recursive: true, force: true });
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
