import { access, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BenchError } from '../errors.ts';
import { logTail, waitForLine, type ProcessRegistry, type TrackedProcess } from '../processes.ts';
import { sleep } from '../sys-util.ts';
import type { SessionSpec, SyncSession, ToolDriver } from './types.ts';

/** Gap between client starts when there are many clients (fan-out). */
const CLIENT_START_SPACING_MS = 200;

/** The hub prints each listen multiaddr on its own stdout line once listening. */
export const listenLine = (ip: string): RegExp => new RegExp(`^/ip4/${ip.replace(/\./g, '\\.')}/tcp/\\d+/p2p/\\S+$`);
const LISTEN_LINE = listenLine('127.0.0.1');

/**
 * distsync as a user runs it: one hub process and one client process per
 * directory, all separate OS processes talking libp2p over 127.0.0.1.
 */
export class DistsyncDriver implements ToolDriver {
  readonly id = 'distsync' as const;
  readonly label = 'distsync';
  readonly continuous = true;
  readonly fanout = true;

  /**
   * @param cliPath compiled CLI entry (dist/src/cli/main.js)
   * @param nodePath Node binary that runs it (the project's Node 24)
   */
  constructor(
    private readonly cliPath: string,
    private readonly nodePath: string,
  ) {}

  async version(): Promise<string> {
    // The CLI has no --version; the package version plus the git commit in the report say enough.
    try {
      const pkg = JSON.parse(await readFile(join(dirname(this.cliPath), '..', '..', '..', 'package.json'), 'utf8')) as { version?: string };
      return `distsync ${pkg.version ?? 'unknown'}`;
    } catch {
      return 'distsync (unknown version)';
    }
  }

  async prepare(): Promise<void> {
    try {
      await access(this.cliPath);
    } catch {
      throw new BenchError('TOOL_UNAVAILABLE', `${this.cliPath} not found (run npx tsc -p . first)`);
    }
  }

  async openSession(spec: SessionSpec): Promise<SyncSession> {
    const hubData = join(spec.workDir, 'hub');
    const source = join(spec.workDir, 'src');
    const destinations = Array.from({ length: spec.destinations }, (_, i) => join(spec.workDir, `dst${i}`));
    await Promise.all([hubData, source, ...destinations].map((d) => mkdir(d, { recursive: true })));

    const procs: TrackedProcess[] = [];
    const session = new DistsyncSession(source, destinations, procs, spec.registry);
    try {
      const hub = spec.registry.spawn(
        this.nodePath,
        [this.cliPath, 'hub', '--listen', '/ip4/127.0.0.1/tcp/0', '--data', hubData, '--allow-any'],
        { role: 'hub', logPath: join(spec.workDir, 'hub.log'), pipeStdout: true },
      );
      procs.push(hub);
      const address = await waitForLine(hub, (line) => LISTEN_LINE.test(line), 30_000);
      // Drain the rest of the hub's stdout so it never blocks on a full pipe.
      hub.child.stdout?.resume();
      const dirs = [source, ...destinations];
      for (const [i, dir] of dirs.entries()) {
        // Fan-out: 50 Node processes booting at once on 2 cores starve each other's
        // handshakes; spacing the starts measures propagation, not a connect storm.
        if (i > 0 && dirs.length > 5) await sleep(CLIENT_START_SPACING_MS);
        procs.push(
          spec.registry.spawn(this.nodePath, [this.cliPath, 'client', '--hub', address, dir], {
            role: 'client',
            logPath: join(spec.workDir, `client-${i}.log`),
          }),
        );
      }
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  }

  async dispose(): Promise<void> {}
}

export class DistsyncSession implements SyncSession {
  get linkOwnerPid(): number | undefined {
    return this.procs.find((p) => p.role === 'hub')?.pid;
  }

  constructor(
    readonly source: string,
    readonly destinations: readonly string[],
    private readonly procs: readonly TrackedProcess[],
    private readonly registry: ProcessRegistry,
  ) {}

  async propagate(): Promise<void> {}

  async confirm(): Promise<number> {
    return 0;
  }

  async assertAlive(): Promise<void> {
    for (const proc of this.procs) {
      if (proc.exit !== undefined) {
        throw new BenchError(
          'PROCESS_EXITED',
          `distsync ${proc.role} (pid ${proc.pid}) exited with code ${proc.exit.code}: ${await logTail(proc.logPath)}`,
        );
      }
    }
  }

  async close(): Promise<void> {
    // Clients first, so the hub does not log every client as lost.
    const clients = this.procs.filter((p) => p.role === 'client');
    await Promise.all(clients.map((p) => this.registry.stop(p)));
    await Promise.all(this.procs.filter((p) => p.role !== 'client').map((p) => this.registry.stop(p)));
  }
}
