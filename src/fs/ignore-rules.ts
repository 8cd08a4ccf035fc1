// `.distsyncignore` at the folder root: gitignore syntax (the `ignore` package, as eslint and
// prettier read .gitignore). Pure: the rules are text in, decisions out.
import ignore, { type Ignore } from 'ignore'

/** The rules file: synced like any file, so every member applies the same rules. */
export const IGNORE_FILE = '.distsyncignore'

export type PathKind = 'file' | 'dir' | 'symlink'

/** `ignore` keeps the answer for every path (and each parent) it was asked about, for as long as
 * the matcher lives: every path of a big tree. A fresh matcher after this many answers bounds it. */
const ANSWERS_PER_MATCHER = 10_000

export class IgnoreRules {
  #matcher: Ignore
  #answers = 0
  readonly #text: string
  /** no rule at all (no file, or only blank lines and comments): nothing to ask */
  readonly #empty: boolean

  private constructor (text: string) {
    this.#text = text
    this.#matcher = matcherOf(text)
    this.#empty = text.split('\n').every(line => line.trim() === '' || line.startsWith('#'))
  }

  /** Rules from the file's text; an absent file (undefined) ignores nothing. */
  static fromText (text: string | undefined): IgnoreRules {
    return new IgnoreRules(text ?? '')
  }

  static readonly none = new IgnoreRules('')

  get text (): string { return this.#text }

  /** Same rules as `other`: a rewrite of the file that changes nothing changes nothing. */
  equals (other: IgnoreRules): boolean { return this.#text === other.#text }

  /**
   * Whether a relative POSIX path (as the index stores it) is ignored. A directory is matched with
   * a trailing slash, so "build/" ignores a directory named build and not a file; a path under an
   * ignored directory is ignored (git cannot re-include it either). The rules file never is.
   */
  ignores (path: string, kind: PathKind): boolean {
    if (this.#empty || path === IGNORE_FILE || path === '') return false
    if (++this.#answers > ANSWERS_PER_MATCHER) {
      this.#matcher = matcherOf(this.#text)
      this.#answers = 1
    }
    try {
      return this.#matcher.ignores(kind === 'dir' ? `${path}/` : path)
    } catch {
      // a name `ignore` refuses to judge (it never is one of ours: paths are checked before)
      return false
    }
  }
}

function matcherOf (text: string): Ignore {
  return ignore({ allowRelativePaths: false }).add(text)
}
