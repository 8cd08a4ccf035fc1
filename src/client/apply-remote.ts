// Makes the disk match an entry from the hub (DESIGN.md flow 3): a file is built in a temp file
// (in the state folder, same filesystem) from local chunks plus fetched ones, each chunk verified,
// and renamed into place only if the target is still what the decision saw. A reader never sees a
// half-written file.
import { closeSync, constants, fchmodSync, fdatasync, ftruncateSync, futimesSync } from 'node:fs'
import { copyFile, unlink } from 'node:fs/promises'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { ensureDir } from '../fs/safe-dirs.ts'
import { writeAllSync } from '../fs/write-all.ts'
import { fdStat, localStat, localStatSync, sameStat } from '../fs/local-stat.ts'
import { assertInside, openInFolder, readdirInFolder, renameInFolder, rmdirInFolder, symlinkInFolder } from '../fs/folder-boundary.ts'
import { localState } from '../reconcile/client-decide.ts'
import { ChunkReader } from '../fs/read-chunks.ts'
import { fileHash } from '../chunk/hash.ts'
import { linkToTrash, moveToTrash } from '../fs/trash.ts'
import { PathError, STATE_DIR, TEMP_PREFIX, parentOf } from '../fs/safe-path.ts'
import { bytesEqual, hex, tombstone, type ChunkRef, type Entry } from '../index/entry.ts'
import { ChunkList, ChunkListBuilder } from '../chunk/chunk-list.ts'
import { CHUNK_MAX } from '../protocol/constants.ts'
import type { IndexStore } from '../index/index-store.ts'
import type { LocalStat } from '../reconcile/client-decide.ts'
import type { FilesInProgress } from './files-in-progress.ts'
import type { StoredBlock } from '../net/block-codec.ts'

/** Also how often the chunks written so far are offered to the next receiver in a chain
 * (files-in-progress.ts): a 1 MiB batch held each hop back by ~0.2 s on a 50 Mbit/s link. */
const WRITE_BATCH_BYTES = 256 * 1024
const SYNC_EVERY_BYTES = 32 * 1024 * 1024
/** Files are built here, not beside their target: the watcher then sees one event per applied
 * file (the rename) instead of three (create, write, rename). */
export const TEMP_DIR = `${STATE_DIR}/tmp`

export class ApplyError extends Error {
  override name = 'ApplyError'
  readonly code: string
  constructor (code: string, message: string) {
    super(message)
    this.code = code
  }
}

/** Gets chunks this client does not hold, in the order asked, verified. */
/** `wire`: how the chunk travelled, when it came from a peer (raw: not worth compressing again) */
export type FetchChunks = (refs: ChunkList) => AsyncGenerator<{ ref: ChunkRef, data: Uint8Array, wire?: StoredBlock }>

export interface ApplyContext {
  root: string
  index: IndexStore
  fetch: FetchChunks
  /** a directory now stands where something else was: the watcher may not know it is one */
  dirReplaced?: (relPath: string) => void
  /** files being built, whose written chunks other members may fetch */
  inProgress?: FilesInProgress
}

/** 'changed': the user changed the target meanwhile; nothing was written. */
export type ApplyOutcome = 'applied' | 'changed'

/** The change cannot be applied yet (a file where its parent directory should be, a directory
 * holding what the hub has not deleted yet): the entries that clear the way are on their way, or
 * the next look at the disk proposes what is there. Tried again later. */
export class ApplyLaterError extends ApplyError {
  override name = 'ApplyLaterError'
}

export async function applyEntry (ctx: ApplyContext, entry: Entry, seq: number, seen: LocalStat | null): Promise<ApplyOutcome> {
  const { root, index } = ctx
  const abs = join(root, entry.path)
  if (entry.deleted) return await applyDelete(ctx, entry, seq, seen)
  await ensureParent(root, entry.path)
  if (seen != null && seen.kind !== entry.kind) {
    // a kind change: what is in the way (as the index knows it) goes to the trash first
    if (!sameStat(await localStat(abs), seen)) return 'changed'
    await clearWay(ctx, entry.path, seen)
    seen = null
    if (entry.kind === 'dir') {
      await ensureDir(root, entry.path)
      ctx.dirReplaced?.(entry.path)
    }
  }
  switch (entry.kind) {
    case 'dir':
      if (seen == null) await ensureDir(root, entry.path)
      index.put({ entry, seq, stat: null })
      return 'applied'
    case 'symlink': {
      const tmp = tempPath()
      symlinkInFolder(entry.target, join(root, tmp))
      return await replace(ctx, tmp, entry, seq, seen)
    }
    case 'file': {
      const rec = index.get(entry.path)
      if (seen?.kind === 'file' && rec != null && !rec.entry.deleted && rec.entry.kind === 'file' && bytesEqual(rec.entry.hash, entry.hash)) {
        // same bytes, new mtime or mode: no rewrite
        await setMeta(abs, entry)
        const st = await localStat(abs)
        index.put({ entry, seq, stat: st })
        return 'applied'
      }
      const tmp = tempPath()
      let built: LocalStat
      try {
        built = await buildFile(ctx, tmp, entry)
      } catch (err) {
        await unlink(join(root, tmp)).catch(() => {})
        throw err
      }
      return await replace(ctx, tmp, entry, seq, seen, built)
    }
  }
}

/** Parent directories, made where missing; a file or link in the way is for later (it is
 * about to become a directory, by an entry applied concurrently or next). */
async function ensureParent (root: string, path: string): Promise<void> {
  try {
    await ensureDir(root, parentOf(path))
  } catch (err) {
    if (err instanceof PathError && (err.code === 'ERR_NOT_A_DIR' || err.code === 'ERR_SYMLINK_IN_PATH')) throw new ApplyLaterError(err.code, err.message)
    throw err
  }
}

/**
 * Moves what is at `path` (as `seen`, in sync with the index) to the trash. A directory goes
 * whole only when everything in it is in sync with the index, so the hub knows it all and
 * nothing of the user's is lost from view; otherwise this is for later.
 */
async function clearWay (ctx: ApplyContext, path: string, seen: LocalStat): Promise<void> {
  const { root, index } = ctx
  if (seen.kind !== 'dir') {
    const trashed = await moveToTrash(root, path)
    index.moveLocations(path, trashed)
    return
  }
  const unsynced = unsyncedUnder(ctx, path)
  if (unsynced != null) throw new ApplyLaterError('ERR_DIR_IN_THE_WAY', `${path}: the directory holds ${unsynced}, not synced yet`)
  try {
    rmdirInFolder(join(root, path))
    return
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY') throw err
  }
  const trashed = await moveToTrash(root, path)
  index.moveLocationsUnder(path, trashed)
}

/** The first path below `dir` whose disk state differs from the index, or undefined. */
function unsyncedUnder (ctx: ApplyContext, dir: string): string | undefined {
  for (const name of readdirInFolder(join(ctx.root, dir))) {
    const path = `${dir}/${name}`
    const st = localStatSync(join(ctx.root, path))
    if (localState(st, ctx.index.get(path)) !== 'unchanged') return path
    if (st?.kind === 'dir') {
      const deeper = unsyncedUnder(ctx, path)
      if (deeper != null) return deeper
    }
  }
  return undefined
}

// unique per process by the counter, across processes by the random part; opened with 'wx',
// so a clash fails rather than overwrites (a random name per file cost more than its write)
const tempBase = `${TEMP_PREFIX}${randomBytes(6).toString('hex')}-`
let tempCount = 0

function tempPath (dir = TEMP_DIR): string {
  const name = `${tempBase}${(tempCount++).toString(36)}`
  return dir === '' ? name : `${dir}/${name}`
}

// Metadata calls are synchronous, as in local-stat.ts (~50 µs of CPU each on the pool here, a
// few µs inline); only the flushes to disk go to the pool.
const datasync = promisify(fdatasync)

async function setMeta (abs: string, entry: Entry): Promise<void> {
  const fd = openInFolder(abs)
  try {
    setFdMeta(fd, entry)
  } finally {
    closeSync(fd)
  }
}

function setFdMeta (fd: number, entry: Entry): void {
  fchmodSync(fd, entry.exec ? 0o755 : 0o644)
  const seconds = Number(entry.mtimeNs) / 1e9
  futimesSync(fd, seconds, seconds)
}

/** Renames tmp over the target if the target is still as seen; keeps the old file in the trash.
 * `built`: tmp's stat, when the caller has it from the open file. */
async function replace (ctx: ApplyContext, tmp: string, entry: Entry, seq: number, seen: LocalStat | null, built?: LocalStat): Promise<ApplyOutcome> {
  const { root, index } = ctx
  const absTmp = join(root, tmp)
  const abs = join(root, entry.path)
  const now = await localStat(abs)
  if (!sameStat(now, seen) || now?.kind === 'dir') {
    await unlink(absTmp).catch(() => {})
    return 'changed'
  }
  if (now?.kind === 'file') {
    const trashed = await linkToTrash(root, entry.path)
    index.moveLocations(entry.path, trashed)
  }
  // recorded before the rename, so the watcher event the rename causes finds nothing new
  index.put({ entry, seq, stat: built ?? await localStat(absTmp) }, entry.kind === 'file')
  try {
    renameInFolder(absTmp, abs)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') {
      await unlink(absTmp).catch(() => {})
      throw err
    }
    await renameAcrossMount(ctx, absTmp, entry, seq)
  }
  return 'applied'
}

/**
 * The target's directory is another filesystem mounted inside the tree (rename said EXDEV):
 * what was built is copied beside the target and renamed there.
 */
async function renameAcrossMount (ctx: ApplyContext, absTmp: string, entry: Entry, seq: number): Promise<void> {
  const absBeside = join(ctx.root, tempPath(parentOf(entry.path)))
  try {
    assertInside(absBeside)
    if (entry.kind === 'symlink') {
      symlinkInFolder(entry.target, absBeside)
    } else {
      await copyFile(absTmp, absBeside, constants.COPYFILE_EXCL)
      const fd = openInFolder(absBeside)
      try {
        setFdMeta(fd, entry)
        await datasync(fd)
      } finally {
        closeSync(fd)
      }
    }
    ctx.index.put({ entry, seq, stat: await localStat(absBeside) }, entry.kind === 'file')
    renameInFolder(absBeside, join(ctx.root, entry.path))
  } catch (err) {
    await unlink(absBeside).catch(() => {})
    throw err
  } finally {
    await unlink(absTmp).catch(() => {})
  }
}

/** Builds the file in tmp; returns its stat as written (from the open file: no path lookup). */
async function buildFile (ctx: ApplyContext, tmp: string, entry: Entry): Promise<LocalStat> {
  const { root, index } = ctx
  const absTmp = join(root, tmp)
  const { chunks } = entry
  // the chunk list must be the one the hash names: every chunk is then verified on its own
  if (!bytesEqual(fileHash(chunks), entry.hash)) throw new ApplyError('ERR_HASH_MISMATCH', `${entry.path}: its chunk list does not match its hash`)
  const offsets = chunks.offsets()
  // chunks found nowhere locally are fetched in one ordered stream; repeats are read back from tmp
  const first = chunks.firstIndexes()
  const local = new Uint8Array(chunks.length)
  const missing = new ChunkListBuilder()
  for (let i = 0; i < chunks.length; i++) {
    if (first[i] !== i) continue
    if (index.findChunk(chunks.hash(i)).length > 0) local[i] = 1
    else missing.push(chunks.hash(i), chunks.size(i))
  }
  const fetched = ctx.fetch(missing.finish())
  const reader = new ChunkReader()
  const fd = openInFolder(absTmp, 'wx', 0o600)
  const progress = ctx.inProgress?.start(tmp, chunks)
  // contiguous chunks go to disk together, in one writev per WRITE_BATCH_BYTES
  let batch: Uint8Array[] = []
  let batchAt = 0
  let batchBytes = 0
  /** the chunk after the last one in the batch: once it is written, every chunk before it is */
  let batchEnd = 0
  // chunks read locally go straight into this, until the batch is written. Allocated on first
  // use and no larger than the file: 1.25 MiB for every small file made V8 run a full GC every
  // ~25 files (external memory pressure), half of a receiving client's CPU
  let arena: Buffer | undefined
  let arenaUsed = 0
  const slot = (size: number): Uint8Array => {
    arena ??= Buffer.allocUnsafe(Math.min(WRITE_BATCH_BYTES + CHUNK_MAX, entry.size))
    return arena.subarray(arenaUsed, arenaUsed + size)
  }
  // the disk writes back while later chunks arrive: one flush at the end of a 256 MiB file
  // took 0.9 s here, all of it after the last byte came in
  let unsynced = 0
  let syncing: Promise<void> = Promise.resolve()
  const flush = async (): Promise<void> => {
    if (batch.length > 0) writeAllSync(fd, batch, batchAt)
    progress?.written(batchEnd)
    unsynced += batchBytes
    batch = []
    batchBytes = 0
    arenaUsed = 0
    if (unsynced >= SYNC_EVERY_BYTES) {
      await syncing
      unsynced = 0
      syncing = datasync(fd)
      syncing.catch(() => {}) // awaited below; not an unhandled rejection meanwhile
    }
  }
  try {
    for (let i = 0; i < chunks.length; i++) {
      const hash = chunks.hash(i)
      const size = chunks.size(i)
      let data: Uint8Array | null = null
      if (first[i]! < i) {
        await flush()
        data = await reader.read(absTmp, offsets[first[i]!]!, size, hash, slot(size))
        if (data != null) arenaUsed += size
      } else if (local[i] === 1) {
        for (const loc of index.findChunk(hash)) {
          data = await reader.read(join(root, loc.path), loc.offset, size, hash, slot(size))
          if (data != null) {
            arenaUsed += size
            break
          }
        }
        // the local copy changed since it was indexed: fetch this one on its own
        data ??= await fetchOne(ctx.fetch, { hash, size })
      } else {
        const next = await fetched.next()
        if (next.done === true || !bytesEqual(next.value.ref.hash, hash)) throw new ApplyError('ERR_FETCH_ORDER', `chunk ${hex(hash)} did not arrive in order`)
        data = next.value.data
        progress?.arrived(i, data, next.value.wire?.zstd === false)
      }
      if (data == null) throw new ApplyError('ERR_CHUNK_UNREADABLE', `chunk ${hex(hash)} of ${entry.path} is unreadable`)
      if (batch.length === 0) batchAt = offsets[i]!
      batch.push(data)
      batchEnd = i + 1
      batchBytes += data.byteLength
      if (batchBytes >= WRITE_BATCH_BYTES) await flush()
    }
    await flush()
    await syncing
    ftruncateSync(fd, entry.size)
    setFdMeta(fd, entry)
    await datasync(fd)
    return fdStat(fd)
  } finally {
    progress?.end()
    await syncing.catch(() => {})
    closeSync(fd)
    await reader.close()
    await fetched.return(undefined)
  }
}

async function fetchOne (fetch: FetchChunks, ref: ChunkRef): Promise<Uint8Array | null> {
  for await (const b of fetch(ChunkList.of([ref]))) return b.data
  return null
}

async function applyDelete (ctx: ApplyContext, entry: Entry, seq: number, seen: LocalStat | null): Promise<ApplyOutcome> {
  const { root, index } = ctx
  const abs = join(root, entry.path)
  const now = await localStat(abs)
  if (!sameStat(now, seen)) return 'changed'
  const gone = { entry: tombstone(entry.path, entry.kind, entry.mtimeNs), seq, stat: null }
  if (now?.kind === 'dir') {
    // Children go by their own tombstones, concurrently. Recording this tombstone before the
    // rmdir means either this rmdir or the last child's removeEmptyParents sees the dir empty.
    index.put(gone)
    try {
      rmdirInFolder(abs)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOTEMPTY' && code !== 'ENOENT') throw err
    }
  } else {
    if (now != null) {
      const trashed = await moveToTrash(root, entry.path)
      index.moveLocations(entry.path, trashed)
    }
    index.put(gone)
  }
  await removeEmptyParents(ctx, entry.path)
  return 'applied'
}

/** Removes parent directories that the hub has deleted once their last child is gone. */
async function removeEmptyParents (ctx: ApplyContext, path: string): Promise<void> {
  for (let dir = parentOf(path); dir !== ''; dir = parentOf(dir)) {
    const rec = ctx.index.get(dir)
    if (rec == null || !rec.entry.deleted) return
    try {
      rmdirInFolder(join(ctx.root, dir))
    } catch {
      return
    }
  }
}

