import { runCommand } from './processes.ts';

/**
 * Per-connection byte counts for a hub-and-spoke tool. distsync's data goes
 * client → hub → client, so the loopback total counts every byte once per
 * hop; a remote user's link carries only one hop. `ss -tinp` reports TCP
 * payload bytes (bytes_sent + bytes_received) per socket, which we read for
 * the sockets one process (the hub) owns: one socket per client link.
 */
export type SocketCounters = Map<string, number>;

export function parseSsOutput(output: string, pid: number): SocketCounters {
  const counters: SocketCounters = new Map();
  let currentKey: string | undefined;
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      // Header line: "Recv-Q Send-Q local peer users:((...pid=N,...))"
      const fields = line.trim().split(/\s+/);
      const owned = new RegExp(`pid=${pid},`).test(line);
      currentKey = owned ? `${fields[2] ?? '?'} ${fields[3] ?? '?'}` : undefined;
      continue;
    }
    if (currentKey === undefined) continue;
    const sent = Number(/\bbytes_sent:(\d+)/.exec(line)?.[1] ?? 0);
    const received = Number(/\bbytes_received:(\d+)/.exec(line)?.[1] ?? 0);
    counters.set(currentKey, sent + received);
    currentKey = undefined;
  }
  return counters;
}

/** Byte counters of every established TCP socket of `pid`; empty if ss is unavailable. */
export async function socketCounters(pid: number): Promise<SocketCounters> {
  try {
    const result = await runCommand('ss', ['-tinHp', 'state', 'established'], { timeoutMs: 10_000 });
    return result.code === 0 ? parseSsOutput(result.stdout, pid) : new Map();
  } catch {
    return new Map();
  }
}

/** Largest growth of any one connection between two snapshots (new connections count from 0). */
export function busiestLinkBytes(before: SocketCounters, after: SocketCounters): number | undefined {
  if (after.size === 0) return undefined;
  let busiest = 0;
  for (const [key, bytes] of after) busiest = Math.max(busiest, bytes - (before.get(key) ?? 0));
  return busiest;
}
