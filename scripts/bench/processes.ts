import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { BenchError } from './errors.ts';

/** Anything that wants to know about a process as soon as it exists (the RSS sampler). */
export type SpawnListener = (pid: number, role: string) => void;

export interface TrackedProcess {
  readonly pid: number;
  readonly role: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** Resolves when the process has exited, with its code or signal. */
  readonly exited: Promise<ExitInfo>;
  /** Set once the process has exited. */
  exit: ExitInfo | undefined;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  role: string;
  logPath: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep stdout as a pipe so the caller can read it (e.g. the hub's listen address). */
  pipeStdout?: boolean;
}

/**
 * Every process the harness starts goes through one registry, so cleanup only
 * ever signals PIDs we started ourselves — never a broad name match.
 */
export class ProcessRegistry {
  private readonly live = new Set<TrackedProcess>();
  private readonly listeners = new Set<SpawnListener>();
  /** Short-lived commands (rsync runs) started through runCommand. */
  private readonly transient = new Set<number>();

  onSpawn(listener: SpawnListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  spawn(command: string, args: readonly string[], options: SpawnOptions): TrackedProcess {
    // Logs go to a file, not a pipe, so a chatty tool can never block on a full pipe.
    const logFd = openSync(options.logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', options.pipeStdout === true ? 'pipe' : logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    const pid = child.pid;
    if (pid === undefined) {
      throw new BenchError('COMMAND_FAILED', `could not start ${command}`);
    }
    const tracked: TrackedProcess = {
      pid,
      role: options.role,
      child,
      logPath: options.logPath,
      exit: undefined,
      exited: new Promise<ExitInfo>((resolve) => {
        child.once('exit', (code, signal) => {
          tracked.exit = { code, signal };
          this.live.delete(tracked);
          resolve({ code, signal });
        });
        // A spawn error (ENOENT) also ends the process's life for our purposes.
        child.once('error', () => {
          tracked.exit ??= { code: -1, signal: null };
          this.live.delete(tracked);
          resolve(tracked.exit);
        });
      }),
    };
    this.live.add(tracked);
    this.notifySpawn(pid, options.role);
    return tracked;
  }

  notifySpawn(pid: number, role: string): void {
    for (const listener of this.listeners) listener(pid, role);
  }

  /** Remember a short-lived child until it exits, so an interrupt can still kill it. */
  trackTransient(child: ChildProcess): void {
    const pid = child.pid;
    if (pid === undefined) return;
    this.transient.add(pid);
    child.once('exit', () => this.transient.delete(pid));
  }

  /** SIGTERM, wait up to `graceMs`, then SIGKILL — by PID, one process at a time. */
  async stop(proc: TrackedProcess, graceMs = 5000): Promise<ExitInfo> {
    if (proc.exit !== undefined) return proc.exit;
    signalPid(proc.pid, 'SIGTERM');
    const graceful = await raceTimeout(proc.exited, graceMs);
    if (graceful !== undefined) return graceful;
    signalPid(proc.pid, 'SIGKILL');
    const killed = await raceTimeout(proc.exited, 5000);
    return killed ?? { code: null, signal: 'SIGKILL' };
  }

  async stopAll(graceMs = 5000): Promise<void> {
    await Promise.all([...this.live].map((p) => this.stop(p, graceMs)));
  }

  /** Synchronous last resort for process exit handlers, where nothing can be awaited. */
  killAllNow(): void {
    for (const proc of this.live) signalPid(proc.pid, 'SIGKILL');
    for (const pid of this.transient) signalPid(pid, 'SIGKILL');
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: nothing to do.
  }
}

async function raceTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Read lines from a process's stdout until one matches; later output is
 * drained and dropped so the writer never blocks.
 */
export async function waitForLine(
  proc: TrackedProcess,
  matches: (line: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const stdout: Readable | null = proc.child.stdout;
  if (stdout === null) throw new BenchError('COMMAND_FAILED', `${proc.role}: stdout is not piped`);
  const lines = createInterface({ input: stdout });
  const found = new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      if (matches(line.trim())) resolve(line.trim());
    });
    void proc.exited.then(async (info) => {
      reject(
        new BenchError(
          'PROCESS_EXITED',
          `${proc.role} exited (code ${info.code}, signal ${info.signal}) before it was ready; log tail:\n${await logTail(proc.logPath)}`,
        ),
      );
    });
  });
  const result = await raceTimeout(found, timeoutMs);
  if (result === undefined) {
    throw new BenchError('TIMEOUT', `${proc.role} printed no matching line within ${timeoutMs} ms`);
  }
  return result;
}

export async function logTail(path: string, lines = 15): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCommandOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  registry?: ProcessRegistry;
  role?: string;
}

/**
 * Run a short command to completion with a hard time bound. When a registry
 * is given the process is also reported to its listeners (RSS sampling).
 */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined && options.registry !== undefined) {
    options.registry.trackTransient(child);
    options.registry.notifySpawn(child.pid, options.role ?? command);
  }
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const done = new Promise<number | null>((resolve) => {
    child.once('close', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  const code = await raceTimeout(done, options.timeoutMs);
  if (code === undefined) {
    if (child.pid !== undefined) signalPid(child.pid, 'SIGKILL');
    await raceTimeout(done, 5000);
    throw new BenchError('TIMEOUT', `${command} ${args.join(' ')} took longer than ${options.timeoutMs} ms`);
  }
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
