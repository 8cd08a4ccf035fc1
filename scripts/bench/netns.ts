import { spawn } from 'node:child_process';
import { BenchError } from './errors.ts';
import { runCommand } from './processes.ts';
import { findExecutable } from './sys-util.ts';

/** Set in the re-executed child: "we are inside our own network namespace". */
export const IN_NETNS_ENV = 'DISTSYNC_BENCH_IN_NETNS';
/** Tools the parent could not install, passed to the child as JSON [[tool, reason], ...]. */
export const UNAVAILABLE_ENV = 'DISTSYNC_BENCH_UNAVAILABLE';

/** Undefined when `unshare --net` works here, else the reason it does not. */
export async function probeNetns(): Promise<string | undefined> {
  const unshare = await findExecutable('unshare');
  if (unshare === undefined) return 'unshare (util-linux) not found';
  const probe = await runCommand(unshare, ['--net', '--', 'true'], { timeoutMs: 10_000 }).catch((err: unknown) => ({
    code: -1,
    stdout: '',
    stderr: String(err),
  }));
  return probe.code === 0 ? undefined : `unshare --net failed: ${probe.stderr.trim() || `exit ${probe.code}`}`;
}

/**
 * Run this same script again inside a fresh network namespace, so loopback
 * carries nothing but the benchmark. Signals to us are passed on to the child;
 * our exit code is the child's.
 */
export async function reexecInNetns(extraEnv: Record<string, string>): Promise<number> {
  const unshare = (await findExecutable('unshare')) ?? 'unshare';
  const child = spawn(unshare, ['--net', '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...extraEnv, [IN_NETNS_ENV]: '1' },
  });
  const forward = (signal: NodeJS.Signals): void => {
    if (child.pid !== undefined) {
      try {
        process.kill(child.pid, signal);
      } catch {
        // already gone
      }
    }
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + 15)));
    child.once('error', () => resolve(1));
  });
}

/** A new namespace starts with `lo` down. */
export async function bringUpLoopback(): Promise<void> {
  const ip = await findExecutable('ip');
  if (ip === undefined) throw new BenchError('COMMAND_FAILED', 'ip (iproute2) not found');
  const result = await runCommand(ip, ['link', 'set', 'lo', 'up'], { timeoutMs: 10_000 });
  if (result.code !== 0) throw new BenchError('COMMAND_FAILED', `ip link set lo up: ${result.stderr.trim()}`);
}
