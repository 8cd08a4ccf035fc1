// distsync's command line: parse, load config, start a service, map its end to an exit code.
import { Command, Option } from 'commander'
import { join, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { loadOrCreateIdentity, peerIdOf } from '../net/identity.ts'
import { HubService } from '../hub/hub-service.ts'
import { ClientService, DEFAULT_LISTEN } from '../client/client-service.ts'
import { JournalStore, type JournalStats } from '../index/journal-store.ts'
import { foldersOnDisk, journalFile } from '../hub/folders.ts'
import { STATE_DIR } from '../fs/safe-path.ts'
import { peerIdFromString } from '@libp2p/peer-id'
import { loadConfig, defaultDataDir } from './config.ts'
import { EXIT, UsageError, exitCodeOf } from './exit-codes.ts'
import { rootLogger } from '../logger.ts'
import { parseHubAddress } from '../client/hub-link.ts'
import { readPsk } from '../net/psk.ts'
import { registerPskCommand } from './psk-command.ts'
import { showProgress } from './progress.ts'
import { formatClientStatus, formatConflicts, listConflicts, readClientStatus } from './client-status.ts'
import { distsyncVersion } from './version.ts'
import { gateList, type Membership } from '../hub/membership.ts'
import { DEFAULT_FOLDER, isFolderName } from '../protocol/folder-name.ts'

const collect = (value: string, previous: string[]): string[] => [...previous, value]
/** A repeatable option; its help shows `defaults` where commander would print "[]". */
const listOption = (flags: string, description: string, defaults: string): Option =>
  new Option(flags, description).argParser(collect).default([], defaults)

/** `npm run distsync -- …` runs in the package folder; paths the user typed are relative to
 * where they typed them, which npm passes as INIT_CWD. */
const userCwd = process.env.npm_lifecycle_event === 'distsync' ? process.env.INIT_CWD ?? process.cwd() : process.cwd()
const userPath = (p: string): string => resolve(userCwd, p)

function fail (err: unknown): never {
  const code = exitCodeOf(err)
  const message = err instanceof Error ? err.message : `unexpected ${typeof err === 'object' && err != null && 'type' in err ? `${String((err as Event).type)} event` : String(err)}`
  rootLogger().flush?.()
  process.stderr.write(`distsync: ${message}\n`)
  process.exit(code)
}

/** SIGINT/SIGTERM become an abort: services shut down cleanly and the process exits 0. */
function shutdownSignal (): AbortSignal {
  const ac = new AbortController()
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => { ac.abort() })
  return ac.signal
}

function checkPeerIds (ids: string[]): Set<string> {
  return new Set(ids.map(id => {
    try {
      return peerIdFromString(id).toString()
    } catch {
      throw new UsageError(`--allow ${id} is not a peer ID (run "distsync id" on that machine)`)
    }
  }))
}

const program = new Command('distsync')
  .description('Keep directories identical across machines, over encrypted libp2p connections.')
  .version(distsyncVersion(), '-V, --version', 'print distsync\'s version and its sync protocol')
  .showHelpAfterError()
  .exitOverride(err => { process.exit(err.exitCode === 0 ? 0 : EXIT.usage) })
  .configureOutput({ writeErr: s => process.stderr.write(s) })

program.command('id')
  .description('print this node\'s peer ID, creating its key file if missing')
  .option('--identity <file>', 'key file (default: the hub\'s, <data>/identity.key)')
  .action(async (o: { identity?: string }) => {
    const file = o.identity != null ? userPath(o.identity) : join(defaultDataDir(), 'identity.key')
    process.stdout.write(peerIdOf(await loadOrCreateIdentity(file)) + '\n')
  })

program.command('hub')
  .description('run the hub that clients sync through')
  .addOption(listOption('--listen <multiaddr>', 'address to listen on, repeatable', 'hub.listen, /ip4/0.0.0.0/tcp/7400'))
  .option('--data <dir>', 'journal and chunk store directory, made if missing (default: hub.dataDir, else $XDG_DATA_HOME/distsync/hub)')
  .option('--identity <file>', 'key file, made if missing (default: <data>/identity.key)')
  .addOption(listOption('--allow <peerId>', 'admit this client peer ID, repeatable', 'hub.allow, none'))
  .option('--allow-any', 'admit every peer that can reach the port (default: off)')
  .option('--psk <file>', 'pre-shared key file from "distsync psk": every connection needs it (default: hub.psk, none)')
  .addOption(new Option('--conflicts <mode>', 'copy: keep the losing side as a conflict copy; lww: drop it (default: hub.conflicts, copy)').choices(['copy', 'lww']))
  .option('--config <file>', 'JSON config over the embedded defaults (default: none)')
  .action(async (o: { listen: string[], data?: string, identity?: string, allow: string[], allowAny?: boolean, psk?: string, conflicts?: 'copy' | 'lww', config?: string }) => {
    const cfg = loadConfig(o.config != null ? userPath(o.config) : undefined)
    const dataDir = userPath(o.data ?? (cfg.hub.dataDir !== '' ? cfg.hub.dataDir : defaultDataDir()))
    const members: Membership = {
      any: o.allowAny === true,
      everywhere: checkPeerIds([...cfg.hub.allow, ...o.allow]),
      folders: new Map(Object.entries(cfg.hub.folders).map(([name, f]) => [name, checkPeerIds(f.allow)]))
    }
    if (gateList(members)?.size === 0) {
      throw new UsageError('the hub admits nobody: give each client with --allow <peer ID> (see "distsync id"), or --allow-any')
    }
    if (o.allowAny === true) process.stderr.write('distsync: warning: --allow-any admits every peer that can reach this port\n')
    const privateKey = await loadOrCreateIdentity(o.identity != null ? userPath(o.identity) : join(dataDir, 'identity.key'))
    const pskFile = o.psk ?? (cfg.hub.psk !== '' ? cfg.hub.psk : undefined)
    const psk = pskFile != null ? await readPsk(userPath(pskFile)) : undefined
    const hub = new HubService({
      ...(psk != null ? { psk } : {}),
      dataDir, privateKey, listen: o.listen.length > 0 ? o.listen : cfg.hub.listen,
      members,
      conflicts: o.conflicts ?? cfg.hub.conflicts
    })
    const signal = shutdownSignal()
    for (const addr of await hub.start()) process.stdout.write(addr + '\n')
    const stopped = await Promise.race([
      new Promise(resolve => signal.addEventListener('abort', resolve, { once: true })),
      hub.failed.catch((err: unknown) => err)
    ])
    await hub.stop()
    if (stopped instanceof Error) fail(stopped)
    process.exit(EXIT.signal)
  })

program.command('client')
  .description('sync a directory through a hub')
  .argument('<dir>', 'the directory to keep in sync')
  .requiredOption('--hub <multiaddr>', 'the hub\'s full address, ending in /p2p/<peer ID>')
  .option('--folder <name>', 'the hub\'s folder to sync this directory with', DEFAULT_FOLDER)
  .option('--identity <file>', 'key file, made if missing (default: <dir>/.distsync/identity.key)')
  .option('--hub-grace <seconds>', 'how long to retry a lost hub before exiting 3 (default: client.hubGraceSeconds, 60)', Number)
  .option('--psk <file>', 'the swarm\'s pre-shared key file, as the hub\'s (default: client.psk, none)')
  .addOption(listOption('--listen <multiaddr>', 'address the folder\'s other members fetch chunks from directly, repeatable', DEFAULT_LISTEN.join(' ')))
  .option('--no-direct', 'neither listen for nor dial other members: every chunk through the hub (default: direct)')
  .option('--config <file>', 'JSON config over the embedded defaults (default: none)')
  .action(async (dir: string, o: { hub: string, folder: string, identity?: string, hubGrace?: number, psk?: string, listen: string[], direct: boolean, config?: string }) => {
    if (!isFolderName(o.folder)) throw new UsageError(`--folder ${o.folder}: a folder name is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`)
    const cfg = loadConfig(o.config != null ? userPath(o.config) : undefined)
    const grace = o.hubGrace ?? cfg.client.hubGraceSeconds
    if (!Number.isFinite(grace) || grace <= 0) throw new UsageError('--hub-grace must be a positive number of seconds')
    parseHubAddress(o.hub) // a mistyped address fails before anything is written
    const root = userPath(dir)
    if (!existsSync(root)) throw new UsageError(`directory ${root} does not exist`)
    const pskFile = o.psk ?? (cfg.client.psk !== '' ? cfg.client.psk : undefined)
    const psk = pskFile != null ? await readPsk(userPath(pskFile)) : undefined
    const privateKey = await loadOrCreateIdentity(o.identity != null ? userPath(o.identity) : join(root, STATE_DIR, 'identity.key'))
    process.stderr.write(`distsync: client ${peerIdOf(privateKey)} syncing ${root}\n`)
    const client = new ClientService({ dir: root, hub: o.hub, folder: o.folder, privateKey, graceMs: grace * 1000, listen: o.listen.length > 0 ? o.listen : DEFAULT_LISTEN, direct: o.direct, ...(psk != null ? { psk } : {}) })
    const stop = shutdownSignal()
    const progress = process.stderr.isTTY ? showProgress(() => client.board, stop) : undefined
    // the bar goes before the line that says why the client stopped
    await client.run(stop).finally(progress)
    process.exit(EXIT.signal)
  })

program.command('status')
  .description('with DIR: what the client syncing DIR is doing (or, stopped, what its index knows); without: the hub\'s journals (head seq, files, bytes per folder) and traffic counters as JSON')
  .argument('[dir]', 'a directory a client syncs')
  .option('--json', 'a client\'s status as JSON (default: off; the hub\'s is always JSON)')
  .option('--data <dir>', 'the hub\'s data directory (default: $XDG_DATA_HOME/distsync/hub)')
  .action(async (dir: string | undefined, o: { data?: string, json?: boolean }) => {
    if (dir != null) {
      const status = await readClientStatus(userPath(dir))
      process.stdout.write(o.json === true ? JSON.stringify(status) + '\n' : formatClientStatus(status))
      return
    }
    const dataDir = userPath(o.data ?? defaultDataDir())
    const file = join(dataDir, 'journal.db')
    if (!existsSync(file)) throw new UsageError(`no hub journal in ${dataDir}`)
    // the top-level figures are the default folder's (as before folders), `folders` has each
    const folders: Record<string, JournalStats> = {}
    for (const name of foldersOnDisk(dataDir)) {
      const f = journalFile(dataDir, name)
      if (!existsSync(f)) continue
      const journal = new JournalStore(f)
      folders[name] = journal.stats()
      journal.close()
    }
    const journal = new JournalStore(file)
    const meta = journal.meta()
    journal.close()
    process.stdout.write(JSON.stringify({
      ...folders[DEFAULT_FOLDER],
      chunkBytesIn: Number(meta.chunk_bytes_in ?? 0),
      chunkBytesOut: Number(meta.chunk_bytes_out ?? 0),
      folders
    }) + '\n')
  })

program.command('conflicts')
  .description('list the conflict copies in DIR with the mtimes of the two versions and the peer of the kept one')
  .argument('<dir>', 'a directory a client syncs')
  .option('--json', 'as JSON (default: off)')
  .action(async (dir: string, o: { json?: boolean }) => {
    const list = await listConflicts(userPath(dir), AbortSignal.timeout(60_000))
    process.stdout.write(o.json === true ? JSON.stringify(list) + '\n' : formatConflicts(list))
  })

registerPskCommand(program)

program.parseAsync(process.argv).catch(fail)
