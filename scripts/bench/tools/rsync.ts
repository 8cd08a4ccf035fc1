import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchError } from '../errors.ts';
import { runCommand, type ProcessRegistry } from '../processes.ts';
import { findExecutable } from '../sys-util.ts';
import { startPrivateSshd, type PrivateSshd } from './sshd.ts';
import type { SessionSpec, SyncSession, ToolDriver } from './types.ts';

/**
 * rsync is not a daemon: each propagate() is one full `rsync -a --delete`
 * run, started right after the change, so its time includes process start
 * and (over ssh) the ssh handshake — what a user triggering rsync pays.
 */
abstract class RsyncDriver implements ToolDriver {
  abstract readonly id: 'rsync-ssh' | 'rsync-local';
  abstract readonly label: string;
  readonly continuous = false;
  readonly fanout = false;
  protected rsync = 'rsync';

  async version(): Promise<string> {
    const result = await runCommand(this.rsync, ['--version'], { timeoutMs: 10_000 });
    return result.stdout.split('\n')[0]?.trim() ?? 'unknown';
  }

  async prepare(_benchDir: string, _registry: ProcessRegistry): Promise<void> {
    const path = await findExecutable('rsync');
    if (path === undefined) throw new BenchError('TOOL_UNAVAILABLE', 'rsync not installed (apt-get install rsync)');
    this.rsync = path;
  }

  protected abstract argsFor(source: string, destination: string): string[];
  protected abstract trackServer(spec: SessionSpec): void;

  async openSession(spec: SessionSpec): Promise<SyncSession> {
    const source = join(spec.workDir, 'src');
    const destinations = Array.from({ length: spec.destinations }, (_, i) => join(spec.workDir, `dst${i}`));
    await Promise.all([source, ...destinations].map((d) => mkdir(d, { recursive: true })));
    this.trackServer(spec);
    const run = async (destination: string): Promise<void> => {
      const result = await runCommand(this.rsync, this.argsFor(source, destination), {
        timeoutMs: 600_000,
        registry: spec.registry,
        role: 'rsync',
      });
      if (result.code !== 0) {
        throw new BenchError('COMMAND_FAILED', `rsync exited ${result.code}: ${result.stderr.trim().slice(0, 500)}`);
      }
    };
    return {
      source,
      destinations,
      propagate: async () => {
        for (const destination of destinations) await run(destination);
      },
      confirm: async () => 0,
      assertAlive: async () => undefined,
      close: async () => undefined,
    };
  }

  async dispose(): Promise<void> {}
}

/** Local dir-to-dir copy: the floor no network tool can beat. */
export class RsyncLocalDriver extends RsyncDriver {
  readonly id = 'rsync-local' as const;
  readonly label = 'rsync (local)';

  protected argsFor(source: string, destination: string): string[] {
    return ['-a', '--delete', `${source}/`, `${destination}/`];
  }

  protected trackServer(): void {}
}

/** rsync -az over ssh to our own sshd on 127.0.0.1: the usual way people sync a tree. */
export class RsyncSshDriver extends RsyncDriver {
  readonly id = 'rsync-ssh' as const;
  readonly label = 'rsync -z over ssh';
  private sshd: PrivateSshd | undefined;
  private registry: ProcessRegistry | undefined;

  override async prepare(benchDir: string, registry: ProcessRegistry): Promise<void> {
    await super.prepare(benchDir, registry);
    this.registry = registry;
    this.sshd = await startPrivateSshd(join(benchDir, 'sshd'), registry);
  }

  override async version(): Promise<string> {
    const rsync = await super.version();
    const ssh = await runCommand('ssh', ['-V'], { timeoutMs: 10_000 });
    return `${rsync}; ${ssh.stderr.trim()}`;
  }

  protected argsFor(source: string, destination: string): string[] {
    if (this.sshd === undefined) throw new BenchError('TOOL_UNAVAILABLE', 'sshd not started');
    return ['-az', '--delete', '-e', this.sshd.rshCommand, `${source}/`, `${this.sshd.target}:${destination}/`];
  }

  protected trackServer(spec: SessionSpec): void {
    // The server half (sshd → rsync --server) lives under our sshd.
    if (this.sshd !== undefined) spec.trackExisting(this.sshd.process.pid, 'sshd+rsync server');
  }

  override async dispose(): Promise<void> {
    if (this.sshd !== undefined && this.registry !== undefined) await this.registry.stop(this.sshd.process);
    this.sshd = undefined;
  }
}
