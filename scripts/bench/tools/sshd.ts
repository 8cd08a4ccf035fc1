import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { BenchError } from '../errors.ts';
import { logTail, runCommand, type ProcessRegistry, type TrackedProcess } from '../processes.ts';
import { findExecutable, freePort, sleep } from '../sys-util.ts';

/**
 * A private sshd for rsync-over-ssh: its own port on 127.0.0.1, its own host
 * key and authorized key in a temp dir. Nothing under /etc/ssh or ~/.ssh is
 * read or written (client side uses -F /dev/null and explicit files).
 */
export interface PrivateSshd {
  readonly process: TrackedProcess;
  /** The `-e` argument for rsync: an ssh command line using only our files. */
  readonly rshCommand: string;
  readonly target: string;
}

export async function startPrivateSshd(dir: string, registry: ProcessRegistry): Promise<PrivateSshd> {
  const sshd = await findExecutable('sshd');
  const keygen = await findExecutable('ssh-keygen');
  const ssh = await findExecutable('ssh');
  if (sshd === undefined || keygen === undefined || ssh === undefined) {
    throw new BenchError('TOOL_UNAVAILABLE', 'sshd, ssh or ssh-keygen not installed (apt-get install openssh-server)');
  }
  await mkdir(dir, { recursive: true });
  const hostKey = join(dir, 'host_ed25519');
  const clientKey = join(dir, 'client_ed25519');
  for (const key of [hostKey, clientKey]) {
    const made = await runCommand(keygen, ['-q', '-t', 'ed25519', '-N', '', '-C', 'distsync-bench', '-f', key], {
      timeoutMs: 20_000,
    });
    if (made.code !== 0) throw new BenchError('COMMAND_FAILED', `ssh-keygen failed: ${made.stderr.trim()}`);
  }
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, await readFile(`${clientKey}.pub`));
  await chmod(authorizedKeys, 0o600);

  const port = await freePort();
  const knownHosts = join(dir, 'known_hosts');
  const hostPub = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  await writeFile(knownHosts, `[127.0.0.1]:${port} ${hostPub}\n`);

  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      // The temp dir's permissions are ours, not the user's home: skip the home-dir checks.
      'StrictModes no',
      'PrintMotd no',
      'PrintLastLog no',
      'X11Forwarding no',
      'AllowTcpForwarding no',
      'UseDNS no',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // sshd insists on its privilege-separation directory, normally made by systemd at boot.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  const check = await runCommand(sshd, ['-t', '-f', config], { timeoutMs: 20_000 });
  if (check.code !== 0) throw new BenchError('COMMAND_FAILED', `sshd config rejected: ${check.stderr.trim()}`);

  const proc = registry.spawn(sshd, ['-D', '-e', '-f', config], { role: 'sshd', logPath: join(dir, 'sshd.log') });
  const user = userInfo().username;
  const sshArgs = [
    '-F', '/dev/null',
    '-i', clientKey,
    '-p', String(port),
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${knownHosts}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'LogLevel=ERROR',
  ];
  // Wait (bounded) until a real login works: proves port, host key and auth at once.
  let lastError = '';
  for (let attempt = 0; attempt < 50; attempt++) {
    if (proc.exit !== undefined) {
      throw new BenchError('PROCESS_EXITED', `sshd exited: ${await logTail(proc.logPath)}`);
    }
    const probe = await runCommand(ssh, [...sshArgs, `${user}@127.0.0.1`, 'true'], { timeoutMs: 10_000 });
    if (probe.code === 0) {
      return { process: proc, rshCommand: [ssh, ...sshArgs].join(' '), target: `${user}@127.0.0.1` };
    }
    lastError = probe.stderr.trim();
    await sleep(100);
  }
  await registry.stop(proc);
  throw new BenchError('TIMEOUT', `could not log in to the private sshd: ${lastError}`);
}
