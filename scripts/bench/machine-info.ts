import { readFile } from 'node:fs/promises';
import { availableParallelism, release, totalmem } from 'node:os';
import { runCommand } from './processes.ts';
import type { ToolInfo } from './suite.ts';

export interface MachineInfo {
  date: string;
  cpuModel: string;
  nproc: number;
  memory: string;
  kernel: string;
  node: string;
  commit: string;
  tools: Array<{ label: string; version: string }>;
}

export async function distsyncCommit(root: string): Promise<string> {
  try {
    const head = await runCommand('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, timeoutMs: 10_000 });
    if (head.code !== 0) return 'no commit yet';
    const dirty = await runCommand('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, timeoutMs: 10_000 });
    return `${head.stdout.trim()}${dirty.stdout.trim() === '' ? '' : ' (with uncommitted changes)'}`;
  } catch {
    return 'unknown (no git)';
  }
}

export async function collectMachineInfo(root: string, tools: readonly ToolInfo[]): Promise<MachineInfo> {
  let cpuModel = 'unknown';
  try {
    const cpuinfo = await readFile('/proc/cpuinfo', 'utf8');
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux
  }
  let nproc = availableParallelism();
  try {
    const out = await runCommand('nproc', [], { timeoutMs: 5000 });
    if (out.code === 0) nproc = Number(out.stdout.trim());
  } catch {
    // keep Node's count
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpuModel,
    nproc,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `Linux ${release()}`,
    node: process.version,
    commit: await distsyncCommit(root),
    tools: tools.filter((t) => t.id !== 'distsync').map((t) => ({ label: t.label, version: t.available ? t.version : `not measured: ${t.reason ?? ''}` })),
  };
}
