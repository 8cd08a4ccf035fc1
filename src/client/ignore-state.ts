// The client's live ignore rules: read from DIR/.distsyncignore at start and whenever that file
// changes (a local edit, or one applied from the hub: both reach the watcher). Remote changes
// skipped because of the rules are remembered by their lowest seq, so that rules which stop
// ignoring a path can ask the hub for those changes again.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { IGNORE_FILE, IgnoreRules, type PathKind } from '../fs/ignore-rules.ts'
import { logger } from '../logger.ts'
import type { IndexStore } from '../index/index-store.ts'

const log = logger('client')

const RULES_META = 'ignore_rules'
const SKIPPED_META = 'ignore_skipped_from'

export class IgnoreState {
  readonly #root: string
  readonly #index: IndexStore
  #rules = IgnoreRules.none

  constructor (root: string, index: IndexStore) {
    this.#root = root
    this.#index = index
  }

  ignores (path: string, kind: PathKind): boolean {
    return this.#rules.ignores(path, kind)
  }

  /** A remote change at `seq` was not applied because the rules ignore its path. */
  skipped (seq: number): void {
    const from = Number(this.#index.meta(SKIPPED_META) ?? '0')
    if (from === 0 || seq < from) this.#index.setMeta(SKIPPED_META, String(seq))
  }

  /**
   * Reads the rules file. When the rules differ from those last used (while running, or since the
   * client last ran), returns the seq to replay the hub's journal from, if any change was skipped;
   * 0 when nothing needs replaying; undefined when the rules are unchanged.
   */
  async reload (): Promise<number | undefined> {
    const text = await readFile(join(this.#root, IGNORE_FILE), 'utf8').catch(() => '')
    const rules = IgnoreRules.fromText(text)
    const before = this.#index.meta(RULES_META) ?? ''
    this.#rules = rules
    if (text === before) return undefined
    this.#index.setMeta(RULES_META, text)
    log.info({ rules: text.split('\n').filter(l => l.trim() !== '' && !l.startsWith('#')).length }, 'ignore rules changed')
    const from = Number(this.#index.meta(SKIPPED_META) ?? '0')
    if (from > 0) this.#index.setMeta(SKIPPED_META, '0')
    return from
  }
}
