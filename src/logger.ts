// One pino logger per component, to stderr (stdout carries only what scripts read: addresses, IDs).
// JSON lines, unless stderr is a terminal: then readable lines (pino-pretty), routed through
// whatever draws on the terminal (a progress bar) so the two do not overwrite each other.
import { pino, type Logger, type DestinationStream } from 'pino'
import { prettyFactory } from 'pino-pretty'

export type { Logger }

let root: Logger | undefined
let terminalWriter: ((text: string) => void) | undefined

/** A progress display takes the terminal's log lines while it is drawn (undefined gives them back). */
export function routeTerminalLogs (write: ((text: string) => void) | undefined): void {
  terminalWriter = write
}

/** Readable lines on a terminal; DISTSYNC_LOG_FORMAT=json keeps JSON lines there too. */
export function logsArePretty (): boolean {
  return process.stderr.isTTY && process.env.DISTSYNC_LOG_FORMAT !== 'json'
}

function destination (): DestinationStream {
  if (!logsArePretty()) return pino.destination({ fd: 2, sync: true })
  const pretty = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,c', messageFormat: '{c}: {msg}' })
  return {
    write: (line: string) => {
      const text = pretty(line)
      if (terminalWriter != null) terminalWriter(text)
      else process.stderr.write(text)
    }
  }
}

export function rootLogger (): Logger {
  root ??= pino({ level: process.env.DISTSYNC_LOG ?? 'info', base: { pid: process.pid } }, destination())
  return root
}

export function logger (component: string): Logger {
  return rootLogger().child({ c: component })
}
