import { readdir, readFile } from 'node:fs/promises';

/**
 * Peak memory of a tool = the largest VmHWM (peak resident set) of any single
 * process in its process tree. Trees matter: rsync over ssh is rsync → ssh on
 * one side and sshd → sshd → rsync --server on the other; Syncthing may fork.
 */

interface ProcEntry {
  pid: number;
  ppid: number;
}

async function listProcesses(): Promise<ProcEntry[]> {
  const names = await readdir('/proc');
  const entries = await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map(async (name): Promise<ProcEntry | undefined> => {
        try {
          const stat = await readFile(`/proc/${name}/stat`, 'utf8');
          // comm (field 2) may contain spaces and parentheses: parse after the last ')'.
          const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          const ppid = Number(rest[1]);
          return Number.isFinite(ppid) ? { pid: Number(name), ppid } : undefined;
        } catch {
          return undefined; // exited while we looked
        }
      }),
  );
  return entries.filter((e): e is ProcEntry => e !== undefined);
}

/** Peak resident set size of one process in bytes, or undefined once it is gone. */
export async function readPeakRss(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

export type PeakRssByRole = Record<string, number>;

/**
 * Samples VmHWM of every process under the tracked roots at a fixed interval
 * and once more on demand (right before the tool is stopped, when every
 * long-lived process is still there to be read).
 */
export class RssSampler {
  private readonly roots = new Map<number, string>();
  private readonly peaks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> | undefined;

  constructor(private readonly intervalMs = 100) {}

  track(pid: number, role: string): void {
    this.roots.set(pid, role);
    // Read at once: short-lived commands may be gone before the next tick.
    void this.sampleNow();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.sampleNow(), this.intervalMs);
    this.timer.unref();
  }

  /** One sample; overlapping calls share the one in flight. */
  sampleNow(): Promise<void> {
    this.sampling ??= this.sample().finally(() => {
      this.sampling = undefined;
    });
    return this.sampling;
  }

  async stop(): Promise<PeakRssByRole> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.sampleNow();
    return Object.fromEntries(this.peaks);
  }

  private async sample(): Promise<void> {
    if (this.roots.size === 0) return;
    const procs = await listProcesses();
    const children = new Map<number, number[]>();
    for (const { pid, ppid } of procs) {
      const list = children.get(ppid);
      if (list === undefined) children.set(ppid, [pid]);
      else list.push(pid);
    }
    const roleOf = new Map<number, string>();
    for (const [root, role] of this.roots) {
      const stack = [root];
      // Bounded walk: a pid is visited once even if /proc changes under us.
      while (stack.length > 0 && roleOf.size < 100_000) {
        const pid = stack.pop() as number;
        if (roleOf.has(pid)) continue;
        roleOf.set(pid, role);
        stack.push(...(children.get(pid) ?? []));
      }
    }
    await Promise.all(
      [...roleOf].map(async ([pid, role]) => {
        const peak = await readPeakRss(pid);
        if (peak !== undefined && peak > (this.peaks.get(role) ?? 0)) this.peaks.set(role, peak);
      }),
    );
  }
}

/** Merge per-role peaks, keeping the maximum of each role. */
export function mergePeaks(into: PeakRssByRole, from: PeakRssByRole): PeakRssByRole {
  for (const [role, bytes] of Object.entries(from)) {
    into[role] = Math.max(into[role] ?? 0, bytes);
  }
  return into;
}
