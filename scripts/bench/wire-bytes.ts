import { readFile } from 'node:fs/promises';

/**
 * Bytes on the wire = growth of the loopback interface's rx counter. Every
 * loopback packet is received exactly once, so rx alone counts both
 * directions, headers included. Inside our own network namespace the only
 * traffic on `lo` is the tool being measured; outside it, anything else on
 * the machine talking to 127.0.0.1 is counted too (see `isolated`).
 *
 * Read from /proc/self/net/dev, not /sys/class/net: sysfs shows the devices
 * of the namespace that mounted it (the host's), while /proc/self/net is
 * always our own namespace.
 */
export class WireCounter {
  constructor(
    readonly isolated: boolean,
    private readonly path = '/proc/self/net/dev',
  ) {}

  async read(): Promise<number> {
    try {
      return parseLoRxBytes(await readFile(this.path, 'utf8'));
    } catch {
      return Number.NaN; // no procfs: the report shows "—"
    }
  }
}

/** rx bytes of `lo` from /proc/net/dev ("  lo: <rx bytes> <rx packets> ..."). */
export function parseLoRxBytes(procNetDev: string): number {
  const line = procNetDev.split('\n').find((l) => l.trim().startsWith('lo:'));
  const rx = line?.split(':')[1]?.trim().split(/\s+/)[0];
  return rx === undefined ? Number.NaN : Number(rx);
}
