// Protocol ids and hard limits. Every number here bounds what a peer can make us hold in memory.

/** 4.0.0: Changed carries holders; Hello carries addresses; Applied, Members and Holders (issue 18) */
/** 5.0.0: Progress: the hub sends Changed frames within a window of what the client has done */
/** 6.0.0: Members is news (who joined, who left) after one whole list per session */
export const SYNC_PROTOCOL = '/distsync/sync/6.0.0'
export const BLOCKS_PROTOCOL = '/distsync/blocks/1.0.0'

/** FastCDC bounds: small enough that a 1 MiB edit moves little more than 1 MiB, big enough
 * that a 1 GiB file is ~16k chunks (rows, hashes, messages) rather than millions. */
export const CHUNK_MIN = 16 * 1024
export const CHUNK_AVG = 64 * 1024
export const CHUNK_MAX = 256 * 1024

/** One block message is at most a chunk plus its framing; control messages carry chunk lists. */
export const MAX_BLOCK_FRAME = CHUNK_MAX + 1024
/** An entry of a file at the size limit: MAX_CHUNKS * ~40 bytes. */
export const MAX_SYNC_FRAME = 8 * 1024 * 1024
/** 131072 chunks of at least 16 KiB (all but the last) cover files up to 2 GiB at worst and
 * ~8 GiB at the average chunk size; a bigger file is refused with a clear error. */
export const MAX_CHUNKS_PER_ENTRY = 131072
export const MAX_HASHES_PER_REQUEST = 1024
/** Files up to this size travel with their entry (Propose, Changed): for a small file the
 * blocks round trip cost more than its bytes. At most 64 KiB / CHUNK_MIN chunks, plus the last. */
export const INLINE_FILE_MAX = 64 * 1024
export const MAX_ATTACHED_BLOCKS = INLINE_FILE_MAX / CHUNK_MIN + 1
export const MAX_PATH_BYTES = 4096
export const MAX_NAME_BYTES = 255
export const MAX_SYMLINK_TARGET_BYTES = 4096

/** Bytes a block fetcher keeps requested but unread. It must stay under the read buffer
 * (lpStream aborts, rather than pauses, a stream whose buffer overflows). 2 MiB ran at a third
 * of the speed of 8 MiB on loopback, the server idling between requests; once chunk reads were
 * synchronous the server kept up, a full 8 MiB window sat in buffers at both ends (+15 MB peak
 * RSS on hub and sender) and 4 MiB was as fast. */
export const BLOCK_WINDOW_BYTES = 4 * 1024 * 1024
export const BLOCK_READ_BUFFER = 2 * BLOCK_WINDOW_BYTES

export const HASH_BYTES = 32

/** Members of one folder the hub lists to each of them (and so holders of one version). */
export const MAX_MEMBERS = 1024
/** Addresses one member may announce (every interface of a multi-homed machine, v4 and v6). */
export const MAX_MEMBER_ADDRS = 16
/** A multiaddr with /p2p/ and a DNS name fits easily; anything longer is not an address. */
export const MAX_ADDR_BYTES = 256
/** A peer ID as text (base58 Ed25519 is 52 characters; CIDs a few more). */
export const MAX_PEER_ID_BYTES = 128
