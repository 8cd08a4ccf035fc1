// Bounds on what one peer (a member or a stranger) can make a node hold or do. Each number is
// explained in docs/design-notes.md ("Resource bounds"); a peer past a bound loses that stream or
// connection, never the process and never another peer's service.

/** A length prefix longer than the varint of the largest frame is an error at once (10 bytes
 * would be any uint64; lpStream kept every byte of a prefix that never ended). */
export const MAX_LENGTH_PREFIX_BYTES = 4

/** Bytes a sync stream may buffer unread: one largest frame and the next one arriving. */
export const SYNC_READ_BUFFER = 16 * 1024 * 1024
/** Changed frames the hub sends a client beyond what it reported done (sync 5.0.0 Progress), and
 * their bytes: a receiver that applies slower than the hub sends held every frame of a 100,000-file
 * tree in memory. At least one frame is always allowed, whatever its size. */
export const CHANGED_WINDOW_FRAMES = 2048
export const CHANGED_WINDOW_BYTES = 16 * 1024 * 1024
/** The client reports progress after this many frames done, or a moment after the last one. */
export const PROGRESS_EVERY_FRAMES = CHANGED_WINDOW_FRAMES / 8
/** Bytes a blocks server buffers of requests it has not read yet: a request is at most
 * 1024 hashes (~34 KiB) and a fetcher keeps two or three in flight. */
export const BLOCK_REQUEST_BUFFER = 256 * 1024

/** Answer bytes read from the store and not yet written out, per asking peer, all its blocks
 * streams and connections together. A peer that does not read its answers holds this much and
 * waits; other peers are not affected. */
export const ANSWER_BYTES_PER_PEER = 8 * 1024 * 1024
/** Blocks streams a peer may have open to us at once, per connection (a client fetches up to 16
 * paths at once, each on its own stream). */
export const BLOCK_STREAMS_PER_CONNECTION = 32
/** Connections one peer may hold to us: a reconnect overlaps the old connection until the old one
 * is noticed gone (a ping timeout), so a few reconnects in a row must still fit. */
export const CONNECTIONS_PER_PEER = 8
/** Streams of any protocol (yamux) per connection. */
export const STREAMS_PER_CONNECTION = 128
/** Bytes a yamux stream may queue for a peer that does not read; past it the stream is reset. */
export const STREAM_WRITE_BUFFER = 32 * 1024 * 1024

/** Chunk fetches the hub runs at once for one member's proposals; the rest wait their turn. */
export const FETCHES_PER_MEMBER = 4
/** Chunk-list bytes of one member's proposals in flight (waiting or fetching); past it the hub
 * stops reading that member's sync stream until some finish. 36 bytes per chunk: ~900k chunks. */
export const PROPOSAL_BYTES_PER_MEMBER = 32 * 1024 * 1024
/** A fetch that receives nothing for this long is given up and its proposal refused. */
export const FETCH_IDLE_TIMEOUT_MS = 30_000

/** Frames and bytes a sync stream may queue for a peer that does not read them; past either the
 * stream is reset. */
export const MAX_QUEUED_FRAMES = 16_384
export const MAX_QUEUED_BYTES = 32 * 1024 * 1024
/** Frames handed to one write: a spread of 88k frames overflowed the call stack. */
export const MAX_FRAMES_PER_WRITE = 1024

/** Handshakes (TCP accepted, Noise and yamux not done) allowed to last this long. */
export const HANDSHAKE_TIMEOUT_MS = 5_000
/** Handshakes pending from one IP address; past it the oldest one is dropped for the newcomer.
 * Above the fifty clients that may reconnect together from one address. */
export const PENDING_HANDSHAKES_PER_ADDRESS = 64
/** A pending handshake younger than this is never dropped for a newcomer (an honest one takes
 * milliseconds); when all are younger, the newcomer is refused. */
export const PENDING_HANDSHAKE_GRACE_MS = 500
/** Bytes a connection may send before it has chosen its encryption: an honest one sends under
 * 100 bytes (Noise and yamux after it read framed messages). multistream-select reads a length
 * prefix byte by byte and re-decodes it whole at every byte: 64 KiB of 0xff blocked the hub's
 * event loop for 1.3 s. */
export const PRE_HANDSHAKE_BYTES = 4 * 1024
/** New connections accepted per second from one IP address (libp2p's default is 5; fifty
 * clients behind one address reconnect together after a hub restart). */
export const CONNECTIONS_PER_SECOND_PER_ADDRESS = 100
/** Handshakes pending from all addresses together. */
export const PENDING_HANDSHAKES = 256
/** Connections held at once; libp2p refuses inbound ones past it. A hub is built for 1,000
 * clients, and one that reconnects holds a second connection until its old one is noticed gone:
 * with room for only 1,000 a full hub would refuse it. */
export const MAX_CONNECTIONS = 2048
