// Repeated log lines from one peer, counted and summarised: a hostile member refusing-loop made
// 31.8 MB of log in 4 minutes. The first few of each kind per peer and interval are logged as
// they come; the rest are counted and said in one line when the interval ends.
import type { Logger } from './logger.ts'

export interface LogLimitOptions {
  /** lines of one kind from one peer logged per interval before counting starts */
  burst: number
  intervalMs: number
}

type Level = 'info' | 'warn' | 'debug'

interface Window { level: Level, started: number, logged: number, suppressed: number }

export class LogLimit {
  readonly #log: Logger
  readonly #opts: LogLimitOptions
  readonly #now: () => number
  readonly #windows = new Map<string, Window>()

  constructor (log: Logger, opts: LogLimitOptions = { burst: 10, intervalMs: 10_000 }, now: () => number = Date.now) {
    this.#log = log
    this.#opts = opts
    this.#now = now
  }

  /** Logs `msg` for `peer` unless that peer said as much too often lately. */
  line (level: Level, peer: string, fields: Record<string, unknown>, msg: string): void {
    const key = `${peer}\0${msg}`
    const now = this.#now()
    let w = this.#windows.get(key)
    if (w != null && now - w.started >= this.#opts.intervalMs) {
      this.#summarise(peer, msg, w)
      w = undefined
    }
    if (w == null) {
      w = { level, started: now, logged: 0, suppressed: 0 }
      this.#windows.set(key, w)
      this.#sweep(now)
    }
    if (w.logged < this.#opts.burst) {
      w.logged++
      this.#log[level]({ peer, ...fields }, msg)
    } else {
      w.suppressed++
    }
  }

  /** Says what was held back, for windows whose interval is over. */
  flush (): void {
    const now = this.#now()
    for (const [key, w] of this.#windows) {
      if (now - w.started < this.#opts.intervalMs) continue
      const [peer, msg] = key.split('\0') as [string, string]
      this.#summarise(peer, msg, w)
      this.#windows.delete(key)
    }
  }

  #summarise (peer: string, msg: string, w: Window): void {
    if (w.suppressed > 0) this.#log[w.level]({ peer, suppressed: w.suppressed, seconds: Math.round((this.#now() - w.started) / 1000) }, `${msg} (repeated; not logged each time)`)
  }

  /** Windows of peers gone quiet are summarised and forgotten, so the map stays small. */
  #sweep (now: number): void {
    if (this.#windows.size < 1024) return
    for (const [key, w] of this.#windows) {
      if (now - w.started < this.#opts.intervalMs) continue
      const [peer, msg] = key.split('\0') as [string, string]
      this.#summarise(peer, msg, w)
      this.#windows.delete(key)
    }
  }
}
