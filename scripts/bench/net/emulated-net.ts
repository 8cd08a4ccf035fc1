import { spawnSync } from 'node:child_process';
import { BenchError } from '../errors.ts';
import { runCommand } from '../processes.ts';
import { findExecutable } from '../sys-util.ts';
import { planNetwork, tbfArgs, type HostPlan, type NetPlan, type Topology } from './topology.ts';

/** Bytes through one router port since it was created, seen from the router. */
export interface PortCounters {
  /** Sent by the host (its upload). */
  fromHost: number;
  /** Sent to the host (its download). */
  toHost: number;
}

const IP_TIMEOUT_MS = 15_000;

/**
 * A topology built from network namespaces: one per host and one router
 * joining a LAN bridge and one veth per WAN host, every veth shaped with tc
 * tbf in both directions. Addresses exist only inside these namespaces.
 * `destroy()` deletes them all; a process exit handler does the same if the
 * caller never got that far.
 */
export class EmulatedNetwork {
  readonly #ip: string;
  readonly #created: string[] = [];
  readonly #onExit = (): void => this.destroyNow();
  #destroyed = false;

  private constructor(
    readonly plan: NetPlan,
    ip: string,
  ) {
    this.#ip = ip;
  }

  /** Build the whole topology, or delete what was built and throw. */
  static async create(topology: Topology, prefix: string, signal?: AbortSignal): Promise<EmulatedNetwork> {
    const ip = await findExecutable('ip');
    if (ip === undefined) throw new BenchError('TOOL_UNAVAILABLE', 'ip (iproute2) not found');
    if ((await findExecutable('tc')) === undefined) throw new BenchError('TOOL_UNAVAILABLE', 'tc (iproute2) not found');
    const net = new EmulatedNetwork(planNetwork(topology, prefix, process.pid), ip);
    process.once('exit', net.#onExit);
    try {
      await net.#build(signal);
    } catch (err) {
      await net.destroy();
      throw err;
    }
    return net;
  }

  host(name: string): HostPlan {
    const host = this.plan.hosts.find((h) => h.name === name);
    if (host === undefined) throw new BenchError('BAD_OPTION', `no host "${name}" in this topology`);
    return host;
  }

  /** Command and arguments that run `command` inside a host's namespace (same PID: ip netns exec execs). */
  commandIn(host: string, command: string, args: readonly string[]): [string, string[]] {
    return [this.#ip, ['netns', 'exec', this.host(host).ns, command, ...args]];
  }

  /** Router-side byte counters of every host's link. */
  async counters(): Promise<Map<string, PortCounters>> {
    const result = await runCommand(this.#ip, ['-n', this.plan.router.ns, '-j', '-s', 'link', 'show'], { timeoutMs: IP_TIMEOUT_MS });
    if (result.code !== 0) throw new BenchError('COMMAND_FAILED', `ip -s link in the router: ${result.stderr.trim()}`);
    const byIf = parseLinkStats(result.stdout);
    const out = new Map<string, PortCounters>();
    for (const host of this.plan.hosts) {
      const stats = byIf.get(host.routerIf);
      // The router's rx on the host's port is what the host sent.
      if (stats !== undefined) out.set(host.name, { fromHost: stats.rx, toHost: stats.tx });
    }
    return out;
  }

  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    process.removeListener('exit', this.#onExit);
    // Hosts first, router last: deleting a namespace deletes the veth ends inside it.
    for (const ns of [...this.#created].reverse()) {
      await runCommand(this.#ip, ['netns', 'delete', ns], { timeoutMs: IP_TIMEOUT_MS }).catch(() => undefined);
    }
    this.#created.length = 0;
  }

  /** Synchronous last resort for a process exit handler. */
  destroyNow(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const ns of [...this.#created].reverse()) spawnSync(this.#ip, ['netns', 'delete', ns], { stdio: 'ignore', timeout: IP_TIMEOUT_MS });
    this.#created.length = 0;
  }

  async #run(args: readonly string[], signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) throw new BenchError('COMMAND_FAILED', 'interrupted while building the network');
    const result = await runCommand(this.#ip, args, { timeoutMs: IP_TIMEOUT_MS });
    if (result.code !== 0) throw new BenchError('COMMAND_FAILED', `ip ${args.join(' ')}: ${result.stderr.trim()}`);
  }

  async #tc(ns: string, dev: string, mbit: number, signal?: AbortSignal): Promise<void> {
    // `ip netns exec` rather than `tc -n`, so one code path runs every command.
    await this.#run(['netns', 'exec', ns, 'tc', 'qdisc', 'replace', 'dev', dev, 'root', ...tbfArgs(mbit)], signal);
  }

  async #build(signal?: AbortSignal): Promise<void> {
    const { router, hosts } = this.plan;
    for (const ns of [router.ns, ...hosts.map((h) => h.ns)]) {
      await this.#run(['netns', 'add', ns], signal);
      this.#created.push(ns);
      await this.#run(['-n', ns, 'link', 'set', 'lo', 'up'], signal);
    }
    // /proc/sys/net is per namespace; sh rather than sysctl, which minimal images lack.
    await this.#run(['netns', 'exec', router.ns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward'], signal);
    await this.#run(['-n', router.ns, 'link', 'add', router.lanBridge, 'type', 'bridge'], signal);
    await this.#run(['-n', router.ns, 'addr', 'add', `${router.lanAddress}/24`, 'dev', router.lanBridge], signal);
    await this.#run(['-n', router.ns, 'link', 'set', router.lanBridge, 'up'], signal);
    for (const host of hosts) {
      // Both ends are created inside their namespaces, so the names cannot clash with anything outside.
      await this.#run(['link', 'add', host.hostIf, 'netns', host.ns, 'type', 'veth', 'peer', 'name', host.routerIf, 'netns', router.ns], signal);
      await this.#run(['-n', host.ns, 'addr', 'add', `${host.address}/${host.prefixLength}`, 'dev', host.hostIf], signal);
      await this.#run(['-n', host.ns, 'link', 'set', host.hostIf, 'up'], signal);
      await this.#run(['-n', host.ns, 'route', 'add', 'default', 'via', host.gateway], signal);
      if (host.site === 'lan') {
        await this.#run(['-n', router.ns, 'link', 'set', host.routerIf, 'master', router.lanBridge], signal);
      } else {
        await this.#run(['-n', router.ns, 'addr', 'add', `${host.gateway}/${host.prefixLength}`, 'dev', host.routerIf], signal);
      }
      await this.#run(['-n', router.ns, 'link', 'set', host.routerIf, 'up'], signal);
      // Upload shaped on the host's end, download on the router's end.
      await this.#tc(host.ns, host.hostIf, host.mbit, signal);
      await this.#tc(router.ns, host.routerIf, host.mbit, signal);
    }
  }
}

/** ifname → rx/tx bytes from `ip -j -s link show`. */
export function parseLinkStats(json: string): Map<string, { rx: number; tx: number }> {
  const out = new Map<string, { rx: number; tx: number }>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return out;
  }
  if (!Array.isArray(parsed)) return out;
  for (const item of parsed as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { ifname, stats64 } = item as { ifname?: unknown; stats64?: { rx?: { bytes?: unknown }; tx?: { bytes?: unknown } } };
    const rx = stats64?.rx?.bytes;
    const tx = stats64?.tx?.bytes;
    if (typeof ifname === 'string' && typeof rx === 'number' && typeof tx === 'number') out.set(ifname, { rx, tx });
  }
  return out;
}

/** Undefined when this machine can build emulated networks (root, ip netns, veth, tbf), else why not. */
export async function probeEmulation(prefix: string): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root (ip netns needs CAP_SYS_ADMIN)';
  try {
    const net = await EmulatedNetwork.create({ hosts: [{ name: 'probe', role: 'client', site: 'wan', mbit: 10 }] }, `${prefix}p`);
    await net.destroy();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
