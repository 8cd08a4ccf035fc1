// Resident memory of one process from /proc: the current size, and the kernel's own peak.
import { readFileSync } from 'node:fs'

function statusKb (pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m?.[1] == null ? undefined : Number(m[1]) * 1024
  } catch {
    return undefined
  }
}

export const rssOf = (pid: number): number | undefined => statusKb(pid, 'VmRSS')
/** The peak resident set since the process started (VmHWM): no sample can miss it. */
export const peakRssOf = (pid: number): number | undefined => statusKb(pid, 'VmHWM')
export const mb = (bytes: number | undefined): string => bytes == null ? '?' : `${(bytes / 1e6).toFixed(0)} MB`
