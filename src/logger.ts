// One pino logger per component, to stderr (stdout carries only what scripts read: addresses, IDs).
import { pino, type Logger } from 'pino'

export type { Logger }

let root: Logger | undefined

export function rootLogger (): Logger {
  root ??= pino({ level: process.env.DISTSYNC_LOG ?? 'info', base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }))
  return root
}

export function logger (component: string): Logger {
  return rootLogger().child({ c: component })
}
