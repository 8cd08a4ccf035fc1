import type { ToolId } from './options.ts';
import { runCommand } from './processes.ts';
import { findExecutable } from './sys-util.ts';

/** What each compared tool needs from Debian, and the binaries that prove it is there. */
const NEEDS: Record<ToolId, { binaries: string[]; packages: string[] }> = {
  distsync: { binaries: [], packages: [] },
  'rsync-local': { binaries: ['rsync'], packages: ['rsync'] },
  'rsync-ssh': { binaries: ['rsync', 'ssh', 'sshd', 'ssh-keygen'], packages: ['rsync', 'openssh-client', 'openssh-server'] },
  syncthing: { binaries: ['syncthing'], packages: ['syncthing'] },
};

async function missingBinaries(names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) if ((await findExecutable(name)) === undefined) missing.push(name);
  return missing;
}

export interface InstallContext {
  install: boolean;
  log: (line: string) => void;
}

/**
 * apt-get installs what the selected tools lack (one `apt-get update` first,
 * only if something is missing). Returns, per tool that stays unusable, one
 * line saying why; those tools are skipped, the rest of the suite runs.
 */
export async function ensureToolPackages(tools: readonly ToolId[], ctx: InstallContext): Promise<Map<ToolId, string>> {
  const unavailable = new Map<ToolId, string>();
  let updated = false;
  for (const tool of tools) {
    const need = NEEDS[tool];
    const missing = await missingBinaries(need.binaries);
    if (missing.length === 0) continue;
    const why = await installPackages(need.packages, ctx, updated);
    updated = true;
    const still = await missingBinaries(need.binaries);
    if (still.length > 0) unavailable.set(tool, `${still.join(', ')} missing and ${why ?? 'install did not provide them'}`);
  }
  return unavailable;
}

/** `ip` brings up loopback inside the namespace; Debian ships it in iproute2. */
export async function ensureIpCommand(ctx: InstallContext): Promise<string | undefined> {
  if ((await missingBinaries(['ip'])).length === 0) return undefined;
  const why = await installPackages(['iproute2'], ctx, false);
  return (await missingBinaries(['ip'])).length === 0 ? undefined : `ip (iproute2) missing and ${why ?? 'install failed'}`;
}

/** Undefined on success, else why it could not install. */
async function installPackages(packages: readonly string[], ctx: InstallContext, alreadyUpdated: boolean): Promise<string | undefined> {
  if (!ctx.install) return 'installing was disabled (--no-install)';
  if (process.getuid?.() !== 0) return `not root, cannot apt-get install ${packages.join(' ')}`;
  const aptGet = await findExecutable('apt-get');
  if (aptGet === undefined) return 'apt-get is not available';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!alreadyUpdated) {
    ctx.log('apt-get update');
    await runCommand(aptGet, ['update', '-qq'], { timeoutMs: 300_000, env }).catch(() => undefined);
  }
  ctx.log(`apt-get install -y ${packages.join(' ')}`);
  try {
    const result = await runCommand(aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...packages], { timeoutMs: 600_000, env });
    if (result.code !== 0) {
      const lastLine = result.stderr.trim().split('\n').pop() ?? '';
      return `apt-get install ${packages.join(' ')} failed (exit ${result.code}: ${lastLine})`;
    }
    return undefined;
  } catch (err) {
    return `apt-get install ${packages.join(' ')} failed: ${String(err)}`;
  }
}
