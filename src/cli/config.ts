// The embedded defaults (config/default.json) merged with an optional --config file, validated.
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { UsageError } from './exit-codes.ts'
import { isFolderName } from '../protocol/folder-name.ts'

const Config = z.object({
  hub: z.object({
    /** multiaddrs the hub listens on */
    listen: z.array(z.string()).min(1),
    /** journal, chunks and identity; "" means the per-user default */
    dataDir: z.string(),
    /** peer IDs admitted besides those given with --allow */
    allow: z.array(z.string()),
    /** "copy": the losing side of a conflict is kept as a conflict copy; "lww": it is dropped */
    conflicts: z.enum(['copy', 'lww']),
    /** folders with members of their own: name -> peer IDs admitted to that folder only */
    folders: z.record(z.string().refine(isFolderName, 'a folder name is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'), z.object({
      allow: z.array(z.string())
    }).strict()),
    /** pre-shared key file ("distsync psk"); "" means none */
    psk: z.string()
  }).strict(),
  client: z.object({
    /** how long a client keeps retrying a lost hub before it exits with code 3 */
    hubGraceSeconds: z.number().positive(),
    /** pre-shared key file, the hub's; "" means none */
    psk: z.string()
  }).strict()
}).strict()

export type Config = z.infer<typeof Config>

const DEFAULTS = new URL('../../../config/default.json', import.meta.url)

export function loadConfig (file?: string): Config {
  const base = readJson(DEFAULTS.pathname)
  if (file == null) return parse(base, DEFAULTS.pathname)
  const over = readJson(file) as Partial<Record<string, object>>
  const merged = structuredClone(base) as Record<string, Record<string, unknown>>
  for (const [section, values] of Object.entries(over)) merged[section] = { ...merged[section], ...values }
  return parse(merged, file)
}

function readJson (file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new UsageError(`cannot read config ${file}: ${(err as Error).message}`)
  }
}

function parse (value: unknown, file: string): Config {
  const r = Config.safeParse(value)
  if (!r.success) throw new UsageError(`config ${file}: ${r.error.issues.map(i => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  return r.data
}

export function defaultDataDir (): string {
  const base = process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share')
  return join(base, 'distsync', 'hub')
}
