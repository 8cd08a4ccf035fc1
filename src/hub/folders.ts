// The hub's folders: each its own journal (its own seq space) and its Changed frames cache.
// The folder "default" keeps the journal at <data>/journal.db, where hubs before folders kept
// their only one; any other lives at <data>/folders/<name>/journal.db.
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { JournalStore } from '../index/journal-store.ts'
import { DEFAULT_FOLDER, isFolderName } from '../protocol/folder-name.ts'
import { ChangedFrames } from './changed-frames.ts'

/** Changed frames kept per folder for sessions that follow the head (small files' chunks ride in them). */
const CHANGED_FRAMES_BUDGET = 4 * 1024 * 1024

export interface Folder {
  name: string
  journal: JournalStore
  frames: ChangedFrames
}

export function journalFile (dataDir: string, folder: string): string {
  return folder === DEFAULT_FOLDER ? join(dataDir, 'journal.db') : join(dataDir, 'folders', folder, 'journal.db')
}

/** The folders that have a journal in `dataDir`, "default" first when it has one. */
export function foldersOnDisk (dataDir: string): string[] {
  let names: string[] = []
  try {
    names = readdirSync(join(dataDir, 'folders')).filter(isFolderName).sort()
  } catch {}
  return [DEFAULT_FOLDER, ...names.filter(n => n !== DEFAULT_FOLDER)]
}

export class Folders {
  readonly #dataDir: string
  readonly #failed: (err: Error) => void
  readonly #open = new Map<string, Folder>()

  /** `failed`: a journal could not be saved; the hub cannot go on */
  constructor (dataDir: string, failed: (err: Error) => void) {
    this.#dataDir = dataDir
    this.#failed = failed
  }

  /** The folder, its journal opened (and created) on first use. The name must be valid. */
  get (name: string): Folder {
    let folder = this.#open.get(name)
    if (folder == null) {
      const file = journalFile(this.#dataDir, name)
      if (name !== DEFAULT_FOLDER) mkdirSync(join(file, '..'), { recursive: true })
      folder = { name, journal: new JournalStore(file, this.#failed), frames: new ChangedFrames(CHANGED_FRAMES_BUDGET) }
      this.#open.set(name, folder)
    }
    return folder
  }

  values (): IterableIterator<Folder> {
    return this.#open.values()
  }

  close (): void {
    for (const f of this.#open.values()) f.journal.close()
    this.#open.clear()
  }
}
