import { readFile } from 'node:fs/promises';

/**
 * Bytes on the wire = growth of the loopback interface's rx counter. Every
 * loopback packet is received exactly once, so rx alone counts both
 * directions, headers included. Inside our own network namespace the only
 * traffic on `lo` is the tool being measured; outside it, anything else on
 * the machine talking to 127.0.0.1 is counted too (see `isolated`).
 */
export class WireCounter {
  constructor(
    readonly isolated: boolean,
    private readonly path = '/sys/class/net/lo/statistics/rx_bytes',
  ) {}

  async read(): Promise<number> {
    try {
      return Number((await readFile(this.path, 'utf8')).trim());
    } catch {
      return Number.NaN; // no sysfs: the report shows "n/a"
    }
  }
}
