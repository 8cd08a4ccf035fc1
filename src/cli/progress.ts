// On a terminal, a client shows a progress bar while it receives a lot at once (its first sync,
// a large file): cli-progress, redrawn from the status board a few times a second.
import cliProgress from 'cli-progress'
import { routeTerminalLogs } from '../logger.ts'
import { formatBytes } from './client-status.ts'
import type { StatusBoard } from '../client/status-board.ts'

/** Below this much pending work a bar would only flicker. */
const SHOW_BYTES = 8 * 1024 * 1024
const SHOW_FILES = 200
const REDRAW_MS = 250

interface Burst { bar: cliProgress.MultiBar, line: cliProgress.SingleBar, receivedAtStart: number, filesAtStart: number, filesDone: number, lastPending: number }

/** Draws while `board()` reports enough pending; stops with `signal` or the function returned. */
export function showProgress (board: () => StatusBoard | undefined, signal: AbortSignal): () => void {
  let burst: Burst | undefined
  const end = (): void => {
    if (burst == null) return
    burst.bar.stop()
    routeTerminalLogs(undefined)
    burst = undefined
  }
  const timer = setInterval(() => {
    const b = board()
    if (b == null) return
    const { pending, received } = b.downloading
    if (burst == null) {
      if (pending.bytes < SHOW_BYTES && pending.files < SHOW_FILES) return
      const bar = new cliProgress.MultiBar({
        format: 'receiving |{bar}| {percentage}% {done}/{total_bytes} · {files_done}/{files} files',
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barsize: 24
      }, cliProgress.Presets.shades_classic)
      const line = bar.create(1, 0)
      // log lines are written above the bar while it is drawn
      routeTerminalLogs(text => { bar.log(text) })
      burst = { bar, line, receivedAtStart: received, filesAtStart: pending.files, filesDone: 0, lastPending: pending.files }
    }
    // files that arrive during the burst widen it
    if (pending.files > burst.lastPending) burst.filesAtStart += pending.files - burst.lastPending
    burst.lastPending = pending.files
    const done = received - burst.receivedAtStart
    const total = done + pending.bytes
    burst.line.setTotal(Math.max(1, total))
    burst.line.update(done, {
      done: formatBytes(done),
      total_bytes: formatBytes(total),
      files_done: burst.filesAtStart - pending.files,
      files: burst.filesAtStart
    })
    if (pending.files === 0) end()
  }, REDRAW_MS)
  timer.unref()
  const stop = (): void => { clearInterval(timer); end() }
  signal.addEventListener('abort', stop, { once: true })
  return stop
}
