import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchError } from './errors.ts';

/**
 * The repository root, found by walking up to distsync's package.json, so the
 * same code works compiled (dist/scripts/bench) and from source.
 */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 10; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'distsync') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new BenchError('BAD_OPTION', `no distsync package.json above ${from}`);
}

export const distsyncCli = (root: string): string => join(root, 'dist', 'src', 'cli', 'main.js');

/** The project's pinned Node (devDependency "node") if installed, else the one running us. */
export function projectNode(root: string): string {
  const pinned = join(root, 'node_modules', '.bin', 'node');
  return existsSync(pinned) ? pinned : process.execPath;
}
