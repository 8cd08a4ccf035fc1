import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchError } from '../errors.ts';
import { logTail, waitForLine, type ProcessRegistry, type TrackedProcess } from '../processes.ts';
import { sleep } from '../sys-util.ts';
import { DistsyncSession, listenLine } from '../tools/distsync.ts';
import { syncthingConfigXml } from '../tools/syncthing-config.ts';
import { generateDevice } from '../tools/syncthing.ts';
import type { SyncSession } from '../tools/types.ts';
import type { EmulatedNetwork } from './emulated-net.ts';
import type { NetScenario } from './scenarios.ts';

export interface NetSessionSpec {
  net: EmulatedNetwork;
  scenario: NetScenario;
  workDir: string;
  registry: ProcessRegistry;
}

const dirOf = (workDir: string, host: string): string => join(workDir, `dir-${host}`);

/**
 * distsync as deployed: the hub in its namespace listening on its address,
 * one client per client host dialing it. Every client of the topology runs,
 * the source and the receivers alike.
 */
export async function openDistsyncNet(spec: NetSessionSpec, cliPath: string, nodePath: string): Promise<SyncSession> {
  const { net, scenario, workDir, registry } = spec;
  const clients = scenario.topology.hosts.filter((h) => h.role === 'client').map((h) => h.name);
  const hubHost = scenario.topology.hosts.find((h) => h.role === 'hub');
  if (hubHost === undefined) throw new BenchError('BAD_OPTION', `${scenario.id} has no hub`);
  const hubData = join(workDir, 'hub');
  await Promise.all([hubData, ...clients.map((c) => dirOf(workDir, c))].map((d) => mkdir(d, { recursive: true })));
  const procs: TrackedProcess[] = [];
  const session = new DistsyncSession(
    dirOf(workDir, scenario.source),
    scenario.receivers.map((r) => dirOf(workDir, r)),
    procs,
    registry,
  );
  try {
    const hubIp = net.host(hubHost.name).address;
    const [cmd, args] = net.commandIn(hubHost.name, nodePath, [cliPath, 'hub', '--listen', `/ip4/${hubIp}/tcp/0`, '--data', hubData, '--allow-any']);
    const hub = registry.spawn(cmd, args, { role: 'hub', logPath: join(workDir, 'hub.log'), pipeStdout: true });
    procs.push(hub);
    const pattern = listenLine(hubIp);
    const address = await waitForLine(hub, (line) => pattern.test(line), 30_000);
    hub.child.stdout?.resume();
    for (const name of clients) {
      const [ccmd, cargs] = net.commandIn(name, nodePath, [cliPath, 'client', '--hub', address, dirOf(workDir, name)]);
      procs.push(registry.spawn(ccmd, cargs, { role: 'client', logPath: join(workDir, `client-${name}.log`) }));
    }
  } catch (err) {
    await session.close();
    throw err;
  }
  return session;
}

const FOLDER_ID = 'bench';
/** Every device has its own namespace, so all can use Syncthing's usual port. */
const SYNCTHING_PORT = 22000;

interface Device {
  host: string;
  home: string;
  folder: string;
  id: string;
  apiKey: string;
  socket: string;
  proc?: TrackedProcess;
}

/**
 * Syncthing on the same client hosts (no hub: Syncthing has none), every
 * device sharing the folder with every other (full mesh), so a receiver can
 * pull each block from any device that has it. The GUI/REST API listens on a
 * unix socket: the harness is outside the topology but shares the filesystem.
 */
export async function openSyncthingNet(spec: NetSessionSpec, binary: string): Promise<SyncSession> {
  const { net, scenario, workDir, registry } = spec;
  const hosts = scenario.topology.hosts.filter((h) => h.role === 'client').map((h) => h.name);
  const devices: Device[] = [];
  for (const host of hosts) {
    const home = join(workDir, `st-${host}`);
    const folder = dirOf(workDir, host);
    await mkdir(join(folder, '.stfolder'), { recursive: true });
    devices.push({ host, home, folder, id: await generateDevice(binary, home), apiKey: randomBytes(18).toString('base64url'), socket: join(home, 'gui.sock') });
  }
  for (const self of devices) {
    await writeFile(
      join(self.home, 'config.xml'),
      syncthingConfigXml({
        selfId: self.id,
        selfName: `bench-${self.host}`,
        peers: devices
          .filter((d) => d !== self)
          .map((d) => ({ id: d.id, name: `bench-${d.host}`, address: `tcp://${net.host(d.host).address}:${SYNCTHING_PORT}` })),
        listenAddress: `tcp://${net.host(self.host).address}:${SYNCTHING_PORT}`,
        guiAddress: self.socket,
        apiKey: self.apiKey,
        folderId: FOLDER_ID,
        folderPath: self.folder,
      }),
    );
  }
  const env = { ...process.env, STNOUPGRADE: '1', STNORESTART: '1', STNODEFAULTFOLDER: '1' };
  for (const d of devices) {
    const [cmd, args] = net.commandIn(d.host, binary, ['serve', `--home=${d.home}`, '--no-browser', '--no-restart', '--no-upgrade', '--no-default-folder', '--logflags=0']);
    d.proc = registry.spawn(cmd, args, { role: 'syncthing', logPath: join(workDir, `syncthing-${d.host}.log`), env });
  }
  const source = devices.find((d) => d.host === scenario.source);
  const receivers = devices.filter((d) => scenario.receivers.includes(d.host));
  if (source === undefined) throw new BenchError('BAD_OPTION', `${scenario.id}: source ${scenario.source} is not a client`);
  const session = new SyncthingMeshSession(source, receivers, devices, registry);
  try {
    await session.waitConnected(Date.now() + 90_000);
  } catch (err) {
    await session.close();
    throw err;
  }
  return session;
}

/** GET a REST endpoint over the device's unix socket. */
function rest<T>(d: Device, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: d.socket, path, headers: { 'X-API-Key': d.apiKey }, timeout: 5000 }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new BenchError('SYNCTHING_API', `${path} on ${d.host}: HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(parts).toString('utf8')) as T);
        } catch (err) {
          reject(new BenchError('SYNCTHING_API', `${path} on ${d.host}: ${String(err)}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new BenchError('TIMEOUT', `${path} on ${d.host}: no answer`)));
    req.on('error', reject);
    req.end();
  });
}

class SyncthingMeshSession implements SyncSession {
  readonly source: string;
  readonly destinations: readonly string[];

  constructor(
    private readonly src: Device,
    private readonly receivers: readonly Device[],
    private readonly all: readonly Device[],
    private readonly registry: ProcessRegistry,
  ) {
    this.source = src.folder;
    this.destinations = receivers.map((r) => r.folder);
  }

  async assertAlive(): Promise<void> {
    for (const d of this.all) {
      if (d.proc?.exit !== undefined) throw new BenchError('PROCESS_EXITED', `syncthing ${d.host} exited: ${await logTail(d.proc.logPath)}`);
    }
  }

  /** Every device sees every other connected: the mesh is complete before anything is timed. */
  async waitConnected(deadline: number): Promise<void> {
    let last = '';
    while (Date.now() < deadline) {
      await this.assertAlive();
      try {
        let missing = 0;
        for (const d of this.all) {
          const conns = await rest<{ connections: Record<string, { connected: boolean }> }>(d, '/rest/system/connections');
          missing += this.all.filter((p) => p !== d && conns.connections[p.id]?.connected !== true).length;
        }
        if (missing === 0) return;
        last = `${missing} device pair(s) not connected`;
      } catch (err) {
        last = String(err);
      }
      await sleep(250);
    }
    throw new BenchError('TIMEOUT', `Syncthing mesh did not connect: ${last}`);
  }

  async propagate(): Promise<void> {}

  /** The source reports every receiver at 100 % with nothing left to transfer. */
  async confirm(deadline: number): Promise<number> {
    let last = '';
    for (let polls = 1; Date.now() < deadline; polls++) {
      await this.assertAlive();
      try {
        let done = true;
        for (const r of this.receivers) {
          const c = await rest<{ completion: number; needBytes: number }>(this.src, `/rest/db/completion?folder=${FOLDER_ID}&device=${r.id}`);
          if (!(c.completion >= 100 && c.needBytes === 0)) {
            done = false;
            last = `${r.host}: completion ${c.completion}%, needBytes ${c.needBytes}`;
            break;
          }
        }
        if (done) return polls;
      } catch (err) {
        last = String(err);
      }
      await sleep(20);
    }
    throw new BenchError('TIMEOUT', `Syncthing never reported completion: ${last}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map(async (d) => (d.proc ? this.registry.stop(d.proc) : undefined)));
  }
}
