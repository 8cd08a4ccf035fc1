// `distsync psk > swarm.key`: a new pre-shared key for a private swarm.
import type { Command } from 'commander'
import { newPsk } from '../net/psk.ts'

export function registerPskCommand (program: Command): void {
  program.command('psk')
    .description('print a new pre-shared key: save it (distsync psk > swarm.key), copy it to every node, give it with --psk')
    .action(() => {
      process.stdout.write(newPsk())
      process.stdout.write('\n')
    })
}
