/**
 * Emulated network topologies, as data: who sits where, at which link rate,
 * and the address plan derived from that. Pure, so the plan is table-tested;
 * emulated-net.ts turns a plan into namespaces, veths, a bridge and tc.
 */

/** One machine of a scenario: the hub or a client, on the shared LAN or on its own WAN link. */
export interface HostSpec {
  name: string;
  role: 'hub' | 'client';
  site: 'lan' | 'wan';
  /** Link rate in Mbit/s (10^6 bit/s), the same up and down. */
  mbit: number;
}

export interface Topology {
  hosts: readonly HostSpec[];
}

/** Where one host ended up: its namespace, interface and address. */
export interface HostPlan extends HostSpec {
  ns: string;
  address: string;
  gateway: string;
  prefixLength: number;
  /** The host's end of its veth (inside `ns`). */
  hostIf: string;
  /** The router's end of the host's veth (inside the router namespace; a bridge port for LAN hosts). */
  routerIf: string;
}

export interface NetPlan {
  /** Every namespace the plan creates, the router last so it is deleted last. */
  namespaces: string[];
  router: { ns: string; lanBridge: string; lanAddress: string; wanAddresses: Array<{ ifname: string; address: string }> };
  hosts: HostPlan[];
}

/** Private range used only inside namespaces the benchmark creates. */
export const ADDRESS_PREFIX = '10.77';
const LAN_SUBNET = 1;
const FIRST_WAN_SUBNET = 10;
const PREFIX_LENGTH = 24;
/** Linux interface names are at most 15 bytes. */
export const MAX_IFNAME = 15;

/**
 * Namespaces are named `<prefix>-<pid>-<host>` so concurrent runs never collide;
 * interfaces are created directly inside them, so their names need no PID.
 */
export function planNetwork(topology: Topology, prefix: string, pid: number): NetPlan {
  const seen = new Set<string>();
  for (const host of topology.hosts) {
    if (!/^[a-z][a-z0-9]{0,9}$/.test(host.name)) throw new TopologyError(`bad host name "${host.name}" (a-z0-9, at most 10)`);
    if (seen.has(host.name)) throw new TopologyError(`duplicate host name "${host.name}"`);
    if (!(host.mbit > 0)) throw new TopologyError(`host ${host.name}: link rate must be positive`);
    seen.add(host.name);
  }
  const routerNs = `${prefix}-${pid}-router`;
  const lanGateway = `${ADDRESS_PREFIX}.${LAN_SUBNET}.1`;
  const hosts: HostPlan[] = [];
  const wanAddresses: Array<{ ifname: string; address: string }> = [];
  let lanIndex = 0;
  let wanIndex = 0;
  for (const host of topology.hosts) {
    const ns = `${prefix}-${pid}-${host.name}`;
    const routerIf = `r-${host.name}`;
    if (host.site === 'lan') {
      lanIndex++;
      hosts.push({ ...host, ns, address: `${ADDRESS_PREFIX}.${LAN_SUBNET}.${10 + lanIndex}`, gateway: lanGateway, prefixLength: PREFIX_LENGTH, hostIf: 'eth0', routerIf });
    } else {
      const subnet = FIRST_WAN_SUBNET + wanIndex++;
      if (subnet > 250) throw new TopologyError('too many WAN hosts');
      const gateway = `${ADDRESS_PREFIX}.${subnet}.1`;
      wanAddresses.push({ ifname: routerIf, address: gateway });
      hosts.push({ ...host, ns, address: `${ADDRESS_PREFIX}.${subnet}.2`, gateway, prefixLength: PREFIX_LENGTH, hostIf: 'eth0', routerIf });
    }
  }
  return {
    namespaces: [...hosts.map((h) => h.ns), routerNs],
    router: { ns: routerNs, lanBridge: 'br-lan', lanAddress: lanGateway, wanAddresses },
    hosts,
  };
}

/**
 * tc tbf arguments for one direction of a link. The bucket holds about 4 ms
 * of traffic (at least 32 KiB) so one GSO burst passes without waking the
 * timer per packet; the queue holds 20 ms, short enough that TCP sees the rate.
 */
export function tbfArgs(mbit: number): string[] {
  const bytesPerSecond = (mbit * 1e6) / 8;
  const burst = Math.max(32 * 1024, Math.round(bytesPerSecond * 0.004));
  return ['tbf', 'rate', `${mbit}mbit`, 'burst', String(burst), 'latency', '20ms'];
}

export class TopologyError extends Error {
  readonly code = 'BAD_TOPOLOGY';

  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}
