/**
 * A throwaway OpenSSH server for SFTP tests (Debian's `openssh-server`, installed when missing):
 * its own config, host key, authorized key and pid file in a temp dir, listening on a free port on
 * 127.0.0.1, run in the foreground (`-D -e`) as a child so its pid is known. sshd forks one process
 * per connection (and a privilege-separated child under it); `connectionPids` finds them among the
 * descendants of the listener this module started, so a test can kill a connection mid-transfer and
 * `stop` ends exactly these processes, never any other sshd.
 *
 * Password logins need a real system user: one is made per start (`useradd` + `chpasswd`, a name
 * unique to the run) and removed by `stop`. Key logins are for root (PermitRootLogin
 * prohibit-password, sshd's default).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess, type StartedProcess } from './child-process.ts';
import { ensureDebianPackages } from './debian-packages.ts';
import { freePort, waitForPort } from './free-port.ts';

const SSHD = '/usr/sbin/sshd';
const SSH_KEYGEN = '/usr/bin/ssh-keygen';

export interface SshdOptions {
  /** Make a system user with a password for password logins (needs root). Default true. */
  passwordUser?: boolean;
}

export interface StartedSshd {
  host: '127.0.0.1';
  port: number;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`); changes with regenerateHostKey. */
  hostKeyFingerprint: string;
  /** A temp dir (root's, mode 0755) tests use as remote directories; removed by stop. */
  rootDir: string;
  /** The user that logs in with `privateKey`. */
  user: 'root';
  /** The client's private key (OpenSSH format, no passphrase) whose public half is authorized. */
  privateKey: string;
  /** A system user that logs in with a password, and a directory it owns (inside rootDir). */
  passwordUser?: { username: string; password: string; homeDir: string };
  /**
   * Writes a new host key and restarts sshd on the same port (open connections are ended); returns
   * the new fingerprint, also in `hostKeyFingerprint` from then on.
   */
  regenerateHostKey(): Promise<string>;
  /** The pid of the listening sshd this module started. */
  pid(): number;
  /** Pids of the per-connection processes under the listener (descendants, deepest last). */
  connectionPids(): number[];
  /** The listener's log (its stderr), for failure messages. */
  logTail(): string;
  /** Stops the connections' processes and the listener (their pids only), removes the user and rootDir. */
  stop(): Promise<void>;
}

/** The fingerprint `ssh-keygen -lf` prints for `publicKeyFile`. */
function fingerprintOf(publicKeyFile: string): string {
  const line = execFileSync(SSH_KEYGEN, ['-lf', publicKeyFile], { encoding: 'utf8' });
  const fingerprint = line.split(' ')[1];
  if (fingerprint?.startsWith('SHA256:') !== true) throw new Error(`ssh-keygen -lf printed no SHA256 fingerprint: ${line}`);
  return fingerprint;
}

function makeKey(file: string): void {
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.pub`, { force: true });
  execFileSync(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-N', '', '-C', 'evidence-locker-test', '-f', file], { stdio: 'pipe' });
}

/** Direct children of `pid`, read from /proc/<child>/stat (field 4 is the parent pid). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  for (let level = childrenOf(pid); level.length > 0; level = level.flatMap(childrenOf)) found.push(...level);
  return found;
}

/** Starts sshd; see the file comment. */
export async function startSshd(options: SshdOptions = {}): Promise<StartedSshd> {
  // A fresh machine gets Debian's openssh-server here (apt-get install, debian-packages.ts).
  ensureDebianPackages(['openssh-server'], [SSHD, SSH_KEYGEN]);
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'locker-sshd-'));
  // Other users (the password user) must reach their directory inside it.
  fs.chmodSync(baseDir, 0o755);
  const rootDir = path.join(baseDir, 'root');
  fs.mkdirSync(rootDir, { mode: 0o755 });
  const hostKeyFile = path.join(baseDir, 'ssh_host_ed25519_key');
  const clientKeyFile = path.join(baseDir, 'client_key');
  makeKey(hostKeyFile);
  makeKey(clientKeyFile);
  const authorizedKeys = path.join(baseDir, 'authorized_keys');
  fs.copyFileSync(`${clientKeyFile}.pub`, authorizedKeys);
  const port = await freePort();
  const configFile = path.join(baseDir, 'sshd_config');
  fs.writeFileSync(
    configFile,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyFile}`,
      `PidFile ${path.join(baseDir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'StrictModes no',
      'UsePAM no',
      'UseDNS no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );

  let passwordUser: StartedSshd['passwordUser'];
  if (options.passwordUser !== false) {
    const username = `elsftp${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
    const password = randomBytes(12).toString('base64url');
    const homeDir = path.join(rootDir, username);
    execFileSync('useradd', ['--no-create-home', '--home-dir', homeDir, '--shell', '/bin/sh', username], { stdio: 'pipe' });
    execFileSync('chpasswd', [], { input: `${username}:${password}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
    fs.mkdirSync(homeDir, { mode: 0o755 });
    execFileSync('chown', [`${username}:`, homeDir]);
    passwordUser = { username, password, homeDir };
  }

  let server: StartedProcess | undefined;
  const launch = async (): Promise<void> => {
    server = startProcess(SSHD, ['-D', '-e', '-f', configFile], { logFile: path.join(baseDir, 'sshd.log') });
    try {
      await waitForPort(port, 15_000, () => server?.alive() ?? false);
    } catch (error) {
      throw new Error(`sshd did not start: ${(error as Error).message}\n${server.logTail()}`, { cause: error });
    }
  };
  const killConnections = (): void => {
    const pid = server?.child.pid;
    if (pid === undefined) return;
    for (const child of descendantsOf(pid)) {
      try {
        process.kill(child, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };

  const started: StartedSshd = {
    host: '127.0.0.1',
    port,
    hostKeyFingerprint: fingerprintOf(`${hostKeyFile}.pub`),
    rootDir,
    user: 'root',
    privateKey: fs.readFileSync(clientKeyFile, 'utf8'),
    ...(passwordUser === undefined ? {} : { passwordUser }),
    async regenerateHostKey() {
      // Its connections would outlive the listener, orphaned where stop could no longer find them.
      killConnections();
      await server?.stop();
      makeKey(hostKeyFile);
      started.hostKeyFingerprint = fingerprintOf(`${hostKeyFile}.pub`);
      await launch();
      return started.hostKeyFingerprint;
    },
    pid() {
      const pid = server?.child.pid;
      if (pid === undefined) throw new Error('sshd is not running');
      return pid;
    },
    connectionPids() {
      const pid = server?.child.pid;
      return pid === undefined || !server?.alive() ? [] : descendantsOf(pid);
    },
    logTail: () => server?.logTail() ?? '',
    async stop() {
      if (server?.alive() === true) killConnections();
      await server?.stop();
      if (passwordUser !== undefined) {
        const { username } = passwordUser;
        // A session of the user's that outlived its listener (killed above) would block userdel.
        for (let tries = 0; tries < 50; tries += 1) {
          try {
            execFileSync('userdel', [username], { stdio: 'pipe' });
            break;
          } catch (error) {
            if (!String((error as { stderr?: Buffer }).stderr).includes('currently used')) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      }
      fs.rmSync(baseDir, { recursive: true, force: true });
    },
  };
  try {
    await launch();
  } catch (error) {
    await started.stop();
    throw error;
  }
  return started;
}
