import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchError } from '../errors.ts';
import { logTail, runCommand, type ProcessRegistry, type TrackedProcess } from '../processes.ts';
import { findExecutable, freePort, sleep } from '../sys-util.ts';
import { syncthingConfigXml } from './syncthing-config.ts';
import type { SessionSpec, SyncSession, ToolDriver } from './types.ts';

const FOLDER_ID = 'bench';

interface Instance {
  name: string;
  home: string;
  folder: string;
  deviceId: string;
  guiPort: number;
  listenPort: number;
  apiKey: string;
  proc?: TrackedProcess;
}

/** A new Syncthing home (keys, certificate) in `home`; resolves with its device ID. */
export async function generateDevice(binary: string, home: string): Promise<string> {
  const generated = await runCommand(binary, ['generate', `--home=${home}`, '--no-default-folder', '--skip-port-probing'], {
    timeoutMs: 60_000,
  });
  const match = /Device ID:\s+([A-Z0-9-]{63})/.exec(`${generated.stdout}\n${generated.stderr}`);
  if (generated.code !== 0 || match?.[1] === undefined) {
    throw new BenchError('COMMAND_FAILED', `syncthing generate failed: ${generated.stderr.trim().slice(0, 300)}`);
  }
  return match[1];
}

/** GET a Syncthing REST endpoint on 127.0.0.1 with our API key. */
async function rest<T>(inst: Instance, path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${inst.guiPort}${path}`, {
    headers: { 'X-API-Key': inst.apiKey },
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new BenchError('SYNCTHING_API', `${path} on ${inst.name}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

interface Completion {
  completion: number;
  needBytes: number;
}

/**
 * Two Syncthing instances sharing one folder over tcp://127.0.0.1. The
 * source is instance A's folder; B is the replica. Fan-out is not measured
 * for Syncthing (optional in the brief; it would need N² config).
 */
export class SyncthingDriver implements ToolDriver {
  readonly id = 'syncthing' as const;
  readonly label = 'Syncthing';
  readonly continuous = true;
  readonly fanout = false;
  private binary = 'syncthing';

  async version(): Promise<string> {
    const result = await runCommand(this.binary, ['--version'], { timeoutMs: 10_000 });
    return result.stdout.trim().split(' ').slice(0, 2).join(' ');
  }

  async prepare(): Promise<void> {
    const path = await findExecutable('syncthing');
    if (path === undefined) throw new BenchError('TOOL_UNAVAILABLE', 'syncthing not installed (apt-get install syncthing)');
    this.binary = path;
  }

  private async createInstance(workDir: string, name: string): Promise<Instance> {
    const home = join(workDir, `st-${name}`);
    const folder = join(workDir, name === 'a' ? 'src' : 'dst0');
    await mkdir(join(folder, '.stfolder'), { recursive: true });
    return {
      name,
      home,
      folder,
      deviceId: await generateDevice(this.binary, home),
      guiPort: await freePort(),
      listenPort: await freePort(),
      apiKey: randomBytes(18).toString('base64url'),
    };
  }

  async openSession(spec: SessionSpec): Promise<SyncSession> {
    if (spec.destinations !== 1) throw new BenchError('TOOL_UNAVAILABLE', 'Syncthing fan-out is not measured');
    const a = await this.createInstance(spec.workDir, 'a');
    const b = await this.createInstance(spec.workDir, 'b');
    for (const [self, peer] of [[a, b], [b, a]] as const) {
      await writeFile(
        join(self.home, 'config.xml'),
        syncthingConfigXml({
          selfId: self.deviceId,
          selfName: `bench-${self.name}`,
          peers: [{ id: peer.deviceId, name: `bench-${peer.name}`, address: `tcp://127.0.0.1:${peer.listenPort}` }],
          listenAddress: `tcp://127.0.0.1:${self.listenPort}`,
          guiAddress: `127.0.0.1:${self.guiPort}`,
          apiKey: self.apiKey,
          folderId: FOLDER_ID,
          folderPath: self.folder,
        }),
      );
    }
    const env = { ...process.env, STNOUPGRADE: '1', STNORESTART: '1', STNODEFAULTFOLDER: '1' };
    for (const inst of [a, b]) {
      inst.proc = spec.registry.spawn(
        this.binary,
        ['serve', `--home=${inst.home}`, '--no-browser', '--no-restart', '--no-upgrade', '--no-default-folder', '--logflags=0'],
        { role: 'syncthing', logPath: join(spec.workDir, `syncthing-${inst.name}.log`), env },
      );
    }
    const session = new SyncthingSession(a, b, spec.registry);
    try {
      await session.waitConnected(Date.now() + 60_000);
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  }

  async dispose(): Promise<void> {}
}

class SyncthingSession implements SyncSession {
  readonly source: string;
  readonly destinations: readonly string[];

  constructor(
    private readonly a: Instance,
    private readonly b: Instance,
    private readonly registry: ProcessRegistry,
  ) {
    this.source = a.folder;
    this.destinations = [b.folder];
  }

  async assertAlive(): Promise<void> {
    for (const inst of [this.a, this.b]) {
      if (inst.proc?.exit !== undefined) {
        throw new BenchError('PROCESS_EXITED', `syncthing ${inst.name} exited: ${await logTail(inst.proc.logPath)}`);
      }
    }
  }

  /** Both REST APIs answer and A sees B connected. */
  async waitConnected(deadline: number): Promise<void> {
    let last = '';
    while (Date.now() < deadline) {
      await this.assertAlive();
      try {
        const conns = await rest<{ connections: Record<string, { connected: boolean }> }>(this.a, '/rest/system/connections');
        await rest(this.b, '/rest/system/ping');
        if (conns.connections[this.b.deviceId]?.connected === true) return;
        last = 'not connected yet';
      } catch (err) {
        last = String(err);
      }
      await sleep(100);
    }
    throw new BenchError('TIMEOUT', `Syncthing instances did not connect: ${last}`);
  }

  async propagate(): Promise<void> {}

  /** A reports B's completion at 100 % with nothing left to transfer. */
  async confirm(deadline: number): Promise<number> {
    let last = '';
    for (let polls = 1; Date.now() < deadline; polls++) {
      await this.assertAlive();
      try {
        const c = await rest<Completion>(this.a, `/rest/db/completion?folder=${FOLDER_ID}&device=${this.b.deviceId}`);
        if (c.completion >= 100 && c.needBytes === 0) return polls;
        last = `completion ${c.completion}%, needBytes ${c.needBytes}`;
      } catch (err) {
        last = String(err);
      }
      await sleep(20);
    }
    throw new BenchError('TIMEOUT', `Syncthing never reported completion: ${last}`);
  }

  async close(): Promise<void> {
    await Promise.all([this.a, this.b].map(async (inst) => (inst.proc ? this.registry.stop(inst.proc) : undefined)));
  }
}
