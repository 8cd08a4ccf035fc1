// A running client answers `distsync status DIR` on a unix socket in DIR/.distsync/ (mode 0600):
// one JSON object per connection, then it closes.
import { createServer, connect, type Server } from 'node:net'
import { chmod, lstat, readlink, symlink, unlink } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { STATE_DIR } from '../fs/safe-path.ts'

export const STATUS_SOCKET = 'status.sock'

/** Another client answers on this directory's socket: two clients on one directory would fight. */
export class AlreadyRunningError extends Error {
  override name = 'AlreadyRunningError'
  readonly code = 'ERR_ALREADY_RUNNING'
}
/** sun_path holds 108 bytes on Linux, 104 on macOS: a longer path is reached through a symlink. */
const MAX_SOCKET_PATH = 100

export function statusSocketPath (root: string): string {
  return join(root, STATE_DIR, STATUS_SOCKET)
}

/** Serves `snapshot()` until `signal` aborts. */
export async function serveStatus (root: string, snapshot: () => unknown, signal: AbortSignal): Promise<void> {
  const path = statusSocketPath(root)
  const listenPath = Buffer.byteLength(path) <= MAX_SOCKET_PATH
    ? path
    : join(tmpdir(), `distsync-${createHash('sha256').update(root).digest('hex').slice(0, 16)}.sock`)
  const other = await queryStatus(root, 2000) as { pid?: unknown } | undefined
  if (other != null) throw new AlreadyRunningError(`another client (pid ${String(other.pid)}) is already syncing ${root}`)
  // a socket file left by a client that was killed
  await unlink(path).catch(() => {})
  if (listenPath !== path) await unlink(listenPath).catch(() => {})
  const server: Server = createServer(socket => {
    socket.on('error', () => {})
    let body: string
    try {
      body = JSON.stringify(snapshot())
    } catch (err) {
      body = JSON.stringify({ error: (err as Error).message })
    }
    socket.end(body + '\n')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(listenPath, () => { server.off('error', reject); resolve() })
  })
  server.unref()
  await chmod(listenPath, 0o600)
  if (listenPath !== path) await symlink(listenPath, path)
  signal.addEventListener('abort', () => {
    server.close()
    void unlink(path).catch(() => {})
    if (listenPath !== path) void unlink(listenPath).catch(() => {})
  }, { once: true })
}

/** The running client's answer, or undefined when none answers (not running). */
export async function queryStatus (root: string, timeoutMs = 3000): Promise<unknown> {
  let path = statusSocketPath(root)
  const st = await lstat(path).catch(() => null)
  if (st == null) return undefined
  if (st.isSymbolicLink()) path = await readlink(path)
  return await new Promise(resolve => {
    const socket = connect({ path, timeout: timeoutMs })
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => { text += d })
    socket.on('end', () => {
      try { resolve(JSON.parse(text)) } catch { resolve(undefined) }
    })
    socket.on('timeout', () => { socket.destroy(); resolve(undefined) })
    socket.on('error', () => { resolve(undefined) })
  })
}
