import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum Kind {
  FILE = 'FILE',
  DIR = 'DIR',
  SYMLINK = 'SYMLINK'
}

enum __KindValues {
  FILE = 0,
  DIR = 1,
  SYMLINK = 2
}

export namespace Kind {
  export const codec = (): Codec<Kind> => {
    return enumeration<Kind>(__KindValues)
  }
}

export interface Entry {
  path: string
  kind: Kind
  size: number
  mtimeNs: bigint
  exec: boolean
  deleted: boolean
  hash: Uint8Array<ArrayBuffer>
  target: string
  chunks: Uint8Array<ArrayBuffer>
}

export namespace Entry {
  let _codec: Codec<Entry>

  export const codec = (): Codec<Entry> => {
    if (_codec == null) {
      _codec = message<Entry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.path != null && obj.path !== '')) {
          w.uint32(10)
          w.string(obj.path)
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(16)
          Kind.codec().encode(obj.kind, w)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.size)
        }

        if ((obj.mtimeNs != null && obj.mtimeNs !== 0n)) {
          w.uint32(32)
          w.int64(obj.mtimeNs)
        }

        if ((obj.exec != null && obj.exec !== false)) {
          w.uint32(40)
          w.bool(obj.exec)
        }

        if ((obj.deleted != null && obj.deleted !== false)) {
          w.uint32(48)
          w.bool(obj.deleted)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.hash)
        }

        if ((obj.target != null && obj.target !== '')) {
          w.uint32(74)
          w.string(obj.target)
        }

        if ((obj.chunks != null && obj.chunks.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.chunks)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          path: '',
          kind: Kind.FILE,
          size: 0,
          mtimeNs: 0n,
          exec: false,
          deleted: false,
          hash: uint8ArrayAlloc(0),
          target: '',
          chunks: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.path = reader.string()
              break
            }
            case 2: {
              obj.kind = Kind.codec().decode(reader)
              break
            }
            case 3: {
              obj.size = reader.uint64Number()
              break
            }
            case 4: {
              obj.mtimeNs = reader.int64()
              break
            }
            case 5: {
              obj.exec = reader.bool()
              break
            }
            case 6: {
              obj.deleted = reader.bool()
              break
            }
            case 7: {
              obj.hash = reader.bytes()
              break
            }
            case 9: {
              obj.target = reader.string()
              break
            }
            case 10: {
              obj.chunks = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.path`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.kind`,
                value: Kind.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.mtimeNs`,
                value: reader.int64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.exec`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.deleted`,
                value: reader.bool()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.hash`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.target`,
                value: reader.string()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.chunks`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface EntryPathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface EntryKindFieldEvent {
    field: '$.kind'
    value: Kind
  }

  export interface EntrySizeFieldEvent {
    field: '$.size'
    value: number
  }

  export interface EntryMtimeNsFieldEvent {
    field: '$.mtimeNs'
    value: bigint
  }

  export interface EntryExecFieldEvent {
    field: '$.exec'
    value: boolean
  }

  export interface EntryDeletedFieldEvent {
    field: '$.deleted'
    value: boolean
  }

  export interface EntryHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EntryTargetFieldEvent {
    field: '$.target'
    value: string
  }

  export interface EntryChunksFieldEvent {
    field: '$.chunks'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Entry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Entry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Entry {
    return decodeMessage(buf, Entry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Generator<EntryPathFieldEvent | EntryKindFieldEvent | EntrySizeFieldEvent | EntryMtimeNsFieldEvent | EntryExecFieldEvent | EntryDeletedFieldEvent | EntryHashFieldEvent | EntryTargetFieldEvent | EntryChunksFieldEvent> {
    return streamMessage(buf, Entry.codec(), opts)
  }
}

export interface ClientMessage {
  hello?: Hello
  propose?: Propose
  applied?: Applied
  progress?: Progress
}

export namespace ClientMessage {
  let _codec: Codec<ClientMessage>

  export const codec = (): Codec<ClientMessage> => {
    if (_codec == null) {
      _codec = message<ClientMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.hello != null) {
          w.uint32(10)
          Hello.codec().encode(obj.hello, w)
        }

        if (obj.propose != null) {
          w.uint32(18)
          Propose.codec().encode(obj.propose, w)
        }

        if (obj.applied != null) {
          w.uint32(26)
          Applied.codec().encode(obj.applied, w)
        }

        if (obj.progress != null) {
          w.uint32(34)
          Progress.codec().encode(obj.progress, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.hello = Hello.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.hello
              })
              break
            }
            case 2: {
              obj.propose = Propose.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.propose
              })
              break
            }
            case 3: {
              obj.applied = Applied.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.applied
              })
              break
            }
            case 4: {
              obj.progress = Progress.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.progress
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Hello.codec().stream(reader, reader.uint32(), `${prefix}.hello`, {
                limits: opts.limits?.hello
              })

              break
            }
            case 2: {
              yield * Propose.codec().stream(reader, reader.uint32(), `${prefix}.propose`, {
                limits: opts.limits?.propose
              })

              break
            }
            case 3: {
              yield * Applied.codec().stream(reader, reader.uint32(), `${prefix}.applied`, {
                limits: opts.limits?.applied
              })

              break
            }
            case 4: {
              yield * Progress.codec().stream(reader, reader.uint32(), `${prefix}.progress`, {
                limits: opts.limits?.progress
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ClientMessageHelloSinceSeqFieldEvent {
    field: '$.hello.sinceSeq'
    value: number
  }

  export interface ClientMessageHelloFolderFieldEvent {
    field: '$.hello.folder'
    value: string
  }

  export interface ClientMessageHelloAddrsFieldEvent {
    field: '$.hello.addrs[]'
    index: number
    value: string
  }

  export interface ClientMessageProposeIdFieldEvent {
    field: '$.propose.id'
    value: number
  }

  export interface ClientMessageProposeEntryPathFieldEvent {
    field: '$.propose.entry.path'
    value: string
  }

  export interface ClientMessageProposeEntryKindFieldEvent {
    field: '$.propose.entry.kind'
    value: Kind
  }

  export interface ClientMessageProposeEntrySizeFieldEvent {
    field: '$.propose.entry.size'
    value: number
  }

  export interface ClientMessageProposeEntryMtimeNsFieldEvent {
    field: '$.propose.entry.mtimeNs'
    value: bigint
  }

  export interface ClientMessageProposeEntryExecFieldEvent {
    field: '$.propose.entry.exec'
    value: boolean
  }

  export interface ClientMessageProposeEntryDeletedFieldEvent {
    field: '$.propose.entry.deleted'
    value: boolean
  }

  export interface ClientMessageProposeEntryHashFieldEvent {
    field: '$.propose.entry.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ClientMessageProposeEntryTargetFieldEvent {
    field: '$.propose.entry.target'
    value: string
  }

  export interface ClientMessageProposeEntryChunksFieldEvent {
    field: '$.propose.entry.chunks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ClientMessageProposeBaseSeqFieldEvent {
    field: '$.propose.baseSeq'
    value: number
  }

  export interface ClientMessageProposeBlocksHashFieldEvent {
    field: '$.propose.blocks[].hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ClientMessageProposeBlocksDataFieldEvent {
    field: '$.propose.blocks[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ClientMessageProposeBlocksZstdFieldEvent {
    field: '$.propose.blocks[].zstd'
    value: boolean
    index: number
  }

  export interface ClientMessageProposeBlocksMissingFieldEvent {
    field: '$.propose.blocks[].missing'
    value: boolean
    index: number
  }

  export interface ClientMessageAppliedSeqFieldEvent {
    field: '$.applied.seq'
    value: number
  }

  export interface ClientMessageProgressFramesFieldEvent {
    field: '$.progress.frames'
    value: number
  }

  export interface ClientMessageProgressBytesFieldEvent {
    field: '$.progress.bytes'
    value: number
  }

  export function encode (obj: Partial<ClientMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ClientMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ClientMessage>): ClientMessage {
    return decodeMessage(buf, ClientMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ClientMessage>): Generator<ClientMessageHelloSinceSeqFieldEvent | ClientMessageHelloFolderFieldEvent | ClientMessageHelloAddrsFieldEvent | ClientMessageProposeIdFieldEvent | ClientMessageProposeEntryPathFieldEvent | ClientMessageProposeEntryKindFieldEvent | ClientMessageProposeEntrySizeFieldEvent | ClientMessageProposeEntryMtimeNsFieldEvent | ClientMessageProposeEntryExecFieldEvent | ClientMessageProposeEntryDeletedFieldEvent | ClientMessageProposeEntryHashFieldEvent | ClientMessageProposeEntryTargetFieldEvent | ClientMessageProposeEntryChunksFieldEvent | ClientMessageProposeBaseSeqFieldEvent | ClientMessageProposeBlocksHashFieldEvent | ClientMessageProposeBlocksDataFieldEvent | ClientMessageProposeBlocksZstdFieldEvent | ClientMessageProposeBlocksMissingFieldEvent | ClientMessageAppliedSeqFieldEvent | ClientMessageProgressFramesFieldEvent | ClientMessageProgressBytesFieldEvent> {
    return streamMessage(buf, ClientMessage.codec(), opts)
  }
}

export interface Hello {
  sinceSeq: number
  folder: string
  addrs: string[]
}

export namespace Hello {
  let _codec: Codec<Hello>

  export const codec = (): Codec<Hello> => {
    if (_codec == null) {
      _codec = message<Hello>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.sinceSeq != null && obj.sinceSeq !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.sinceSeq)
        }

        if ((obj.folder != null && obj.folder !== '')) {
          w.uint32(18)
          w.string(obj.folder)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(26)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          sinceSeq: 0,
          folder: '',
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.sinceSeq = reader.uint64Number()
              break
            }
            case 2: {
              obj.folder = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.sinceSeq`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.folder`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HelloSinceSeqFieldEvent {
    field: '$.sinceSeq'
    value: number
  }

  export interface HelloFolderFieldEvent {
    field: '$.folder'
    value: string
  }

  export interface HelloAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Hello>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Hello.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hello>): Hello {
    return decodeMessage(buf, Hello.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Hello>): Generator<HelloSinceSeqFieldEvent | HelloFolderFieldEvent | HelloAddrsFieldEvent> {
    return streamMessage(buf, Hello.codec(), opts)
  }
}

export interface Applied {
  seq: number
}

export namespace Applied {
  let _codec: Codec<Applied>

  export const codec = (): Codec<Applied> => {
    if (_codec == null) {
      _codec = message<Applied>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.seq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AppliedSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export function encode (obj: Partial<Applied>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Applied.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Applied>): Applied {
    return decodeMessage(buf, Applied.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Applied>): Generator<AppliedSeqFieldEvent> {
    return streamMessage(buf, Applied.codec(), opts)
  }
}

export interface Progress {
  frames: number
  bytes: number
}

export namespace Progress {
  let _codec: Codec<Progress>

  export const codec = (): Codec<Progress> => {
    if (_codec == null) {
      _codec = message<Progress>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.frames != null && obj.frames !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.frames)
        }

        if ((obj.bytes != null && obj.bytes !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.bytes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          frames: 0,
          bytes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.frames = reader.uint64Number()
              break
            }
            case 2: {
              obj.bytes = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.frames`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.bytes`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProgressFramesFieldEvent {
    field: '$.frames'
    value: number
  }

  export interface ProgressBytesFieldEvent {
    field: '$.bytes'
    value: number
  }

  export function encode (obj: Partial<Progress>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Progress.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Progress>): Progress {
    return decodeMessage(buf, Progress.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Progress>): Generator<ProgressFramesFieldEvent | ProgressBytesFieldEvent> {
    return streamMessage(buf, Progress.codec(), opts)
  }
}

export interface Propose {
  id: number
  entry?: Entry
  baseSeq: number
  blocks: Block[]
}

export namespace Propose {
  let _codec: Codec<Propose>

  export const codec = (): Codec<Propose> => {
    if (_codec == null) {
      _codec = message<Propose>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if (obj.entry != null) {
          w.uint32(18)
          Entry.codec().encode(obj.entry, w)
        }

        if ((obj.baseSeq != null && obj.baseSeq !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.baseSeq)
        }

        if (obj.blocks != null && obj.blocks.length > 0) {
          for (const value of obj.blocks) {
            w.uint32(34)
            Block.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          baseSeq: 0,
          blocks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.entry = Entry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entry
              })
              break
            }
            case 3: {
              obj.baseSeq = reader.uint64Number()
              break
            }
            case 4: {
              if (opts.limits?.blocks != null && obj.blocks.length === opts.limits.blocks) {
                throw new MaxLengthError('Decode error - repeated field "blocks" had too many elements')
              }

              obj.blocks.push(Block.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.blocks$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          blocks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * Entry.codec().stream(reader, reader.uint32(), `${prefix}.entry`, {
                limits: opts.limits?.entry
              })

              break
            }
            case 3: {
              yield {
                field: `${prefix}.baseSeq`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              if (opts.limits?.blocks != null && obj.blocks === opts.limits.blocks) {
                throw new MaxLengthError('Streaming decode error - repeated field "blocks" had too many elements')
              }

              for (const evt of Block.codec().stream(reader, reader.uint32(), `${prefix}.blocks[]`, {
                limits: opts.limits?.blocks$
              })) {
                yield {
                  ...evt,
                  index: obj.blocks
                }
              }

              obj.blocks++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ProposeIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface ProposeEntryPathFieldEvent {
    field: '$.entry.path'
    value: string
  }

  export interface ProposeEntryKindFieldEvent {
    field: '$.entry.kind'
    value: Kind
  }

  export interface ProposeEntrySizeFieldEvent {
    field: '$.entry.size'
    value: number
  }

  export interface ProposeEntryMtimeNsFieldEvent {
    field: '$.entry.mtimeNs'
    value: bigint
  }

  export interface ProposeEntryExecFieldEvent {
    field: '$.entry.exec'
    value: boolean
  }

  export interface ProposeEntryDeletedFieldEvent {
    field: '$.entry.deleted'
    value: boolean
  }

  export interface ProposeEntryHashFieldEvent {
    field: '$.entry.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ProposeEntryTargetFieldEvent {
    field: '$.entry.target'
    value: string
  }

  export interface ProposeEntryChunksFieldEvent {
    field: '$.entry.chunks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ProposeBaseSeqFieldEvent {
    field: '$.baseSeq'
    value: number
  }

  export interface ProposeBlocksHashFieldEvent {
    field: '$.blocks[].hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ProposeBlocksDataFieldEvent {
    field: '$.blocks[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ProposeBlocksZstdFieldEvent {
    field: '$.blocks[].zstd'
    value: boolean
    index: number
  }

  export interface ProposeBlocksMissingFieldEvent {
    field: '$.blocks[].missing'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Propose>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Propose.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Propose>): Propose {
    return decodeMessage(buf, Propose.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Propose>): Generator<ProposeIdFieldEvent | ProposeEntryPathFieldEvent | ProposeEntryKindFieldEvent | ProposeEntrySizeFieldEvent | ProposeEntryMtimeNsFieldEvent | ProposeEntryExecFieldEvent | ProposeEntryDeletedFieldEvent | ProposeEntryHashFieldEvent | ProposeEntryTargetFieldEvent | ProposeEntryChunksFieldEvent | ProposeBaseSeqFieldEvent | ProposeBlocksHashFieldEvent | ProposeBlocksDataFieldEvent | ProposeBlocksZstdFieldEvent | ProposeBlocksMissingFieldEvent> {
    return streamMessage(buf, Propose.codec(), opts)
  }
}

export interface HubMessage {
  changed?: Changed
  result?: Result
  caughtUp?: CaughtUp
  refused?: Refused
  members?: Members
  holders?: Holders
}

export namespace HubMessage {
  let _codec: Codec<HubMessage>

  export const codec = (): Codec<HubMessage> => {
    if (_codec == null) {
      _codec = message<HubMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.changed != null) {
          w.uint32(10)
          Changed.codec().encode(obj.changed, w)
        }

        if (obj.result != null) {
          w.uint32(18)
          Result.codec().encode(obj.result, w)
        }

        if (obj.caughtUp != null) {
          w.uint32(26)
          CaughtUp.codec().encode(obj.caughtUp, w)
        }

        if (obj.refused != null) {
          w.uint32(34)
          Refused.codec().encode(obj.refused, w)
        }

        if (obj.members != null) {
          w.uint32(42)
          Members.codec().encode(obj.members, w)
        }

        if (obj.holders != null) {
          w.uint32(50)
          Holders.codec().encode(obj.holders, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.changed = Changed.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.changed
              })
              break
            }
            case 2: {
              obj.result = Result.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.result
              })
              break
            }
            case 3: {
              obj.caughtUp = CaughtUp.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.caughtUp
              })
              break
            }
            case 4: {
              obj.refused = Refused.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.refused
              })
              break
            }
            case 5: {
              obj.members = Members.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.members
              })
              break
            }
            case 6: {
              obj.holders = Holders.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.holders
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Changed.codec().stream(reader, reader.uint32(), `${prefix}.changed`, {
                limits: opts.limits?.changed
              })

              break
            }
            case 2: {
              yield * Result.codec().stream(reader, reader.uint32(), `${prefix}.result`, {
                limits: opts.limits?.result
              })

              break
            }
            case 3: {
              yield * CaughtUp.codec().stream(reader, reader.uint32(), `${prefix}.caughtUp`, {
                limits: opts.limits?.caughtUp
              })

              break
            }
            case 4: {
              yield * Refused.codec().stream(reader, reader.uint32(), `${prefix}.refused`, {
                limits: opts.limits?.refused
              })

              break
            }
            case 5: {
              yield * Members.codec().stream(reader, reader.uint32(), `${prefix}.members`, {
                limits: opts.limits?.members
              })

              break
            }
            case 6: {
              yield * Holders.codec().stream(reader, reader.uint32(), `${prefix}.holders`, {
                limits: opts.limits?.holders
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HubMessageChangedEntryPathFieldEvent {
    field: '$.changed.entry.path'
    value: string
  }

  export interface HubMessageChangedEntryKindFieldEvent {
    field: '$.changed.entry.kind'
    value: Kind
  }

  export interface HubMessageChangedEntrySizeFieldEvent {
    field: '$.changed.entry.size'
    value: number
  }

  export interface HubMessageChangedEntryMtimeNsFieldEvent {
    field: '$.changed.entry.mtimeNs'
    value: bigint
  }

  export interface HubMessageChangedEntryExecFieldEvent {
    field: '$.changed.entry.exec'
    value: boolean
  }

  export interface HubMessageChangedEntryDeletedFieldEvent {
    field: '$.changed.entry.deleted'
    value: boolean
  }

  export interface HubMessageChangedEntryHashFieldEvent {
    field: '$.changed.entry.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HubMessageChangedEntryTargetFieldEvent {
    field: '$.changed.entry.target'
    value: string
  }

  export interface HubMessageChangedEntryChunksFieldEvent {
    field: '$.changed.entry.chunks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HubMessageChangedSeqFieldEvent {
    field: '$.changed.seq'
    value: number
  }

  export interface HubMessageChangedOriginFieldEvent {
    field: '$.changed.origin'
    value: string
  }

  export interface HubMessageChangedBlocksHashFieldEvent {
    field: '$.changed.blocks[].hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HubMessageChangedBlocksDataFieldEvent {
    field: '$.changed.blocks[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface HubMessageChangedBlocksZstdFieldEvent {
    field: '$.changed.blocks[].zstd'
    value: boolean
    index: number
  }

  export interface HubMessageChangedBlocksMissingFieldEvent {
    field: '$.changed.blocks[].missing'
    value: boolean
    index: number
  }

  export interface HubMessageChangedHoldersSeqFieldEvent {
    field: '$.changed.holders.seq'
    value: number
  }

  export interface HubMessageChangedHoldersPeersFieldEvent {
    field: '$.changed.holders.peers[]'
    index: number
    value: string
  }

  export interface HubMessageChangedHoldersHeldFieldEvent {
    field: '$.changed.holders.held'
    value: boolean
  }

  export interface HubMessageResultIdFieldEvent {
    field: '$.result.id'
    value: number
  }

  export interface HubMessageResultOutcomeFieldEvent {
    field: '$.result.outcome'
    value: Outcome
  }

  export interface HubMessageResultSeqFieldEvent {
    field: '$.result.seq'
    value: number
  }

  export interface HubMessageResultCurrentPathFieldEvent {
    field: '$.result.current.path'
    value: string
  }

  export interface HubMessageResultCurrentKindFieldEvent {
    field: '$.result.current.kind'
    value: Kind
  }

  export interface HubMessageResultCurrentSizeFieldEvent {
    field: '$.result.current.size'
    value: number
  }

  export interface HubMessageResultCurrentMtimeNsFieldEvent {
    field: '$.result.current.mtimeNs'
    value: bigint
  }

  export interface HubMessageResultCurrentExecFieldEvent {
    field: '$.result.current.exec'
    value: boolean
  }

  export interface HubMessageResultCurrentDeletedFieldEvent {
    field: '$.result.current.deleted'
    value: boolean
  }

  export interface HubMessageResultCurrentHashFieldEvent {
    field: '$.result.current.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HubMessageResultCurrentTargetFieldEvent {
    field: '$.result.current.target'
    value: string
  }

  export interface HubMessageResultCurrentChunksFieldEvent {
    field: '$.result.current.chunks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HubMessageResultReasonFieldEvent {
    field: '$.result.reason'
    value: string
  }

  export interface HubMessageCaughtUpSeqFieldEvent {
    field: '$.caughtUp.seq'
    value: number
  }

  export interface HubMessageRefusedReasonFieldEvent {
    field: '$.refused.reason'
    value: string
  }

  export interface HubMessageMembersMembersPeerFieldEvent {
    field: '$.members.members[].peer'
    value: string
    index: number
  }

  export interface HubMessageMembersMembersAddrsFieldEvent {
    field: '$.members.members[].addrs[]'
    index: number
    value: string
  }

  export interface HubMessageMembersLeftFieldEvent {
    field: '$.members.left[]'
    index: number
    value: string
  }

  export interface HubMessageMembersResetFieldEvent {
    field: '$.members.reset'
    value: boolean
  }

  export interface HubMessageHoldersSeqFieldEvent {
    field: '$.holders.seq'
    value: number
  }

  export interface HubMessageHoldersPeersFieldEvent {
    field: '$.holders.peers[]'
    index: number
    value: string
  }

  export interface HubMessageHoldersHeldFieldEvent {
    field: '$.holders.held'
    value: boolean
  }

  export function encode (obj: Partial<HubMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, HubMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HubMessage>): HubMessage {
    return decodeMessage(buf, HubMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HubMessage>): Generator<HubMessageChangedEntryPathFieldEvent | HubMessageChangedEntryKindFieldEvent | HubMessageChangedEntrySizeFieldEvent | HubMessageChangedEntryMtimeNsFieldEvent | HubMessageChangedEntryExecFieldEvent | HubMessageChangedEntryDeletedFieldEvent | HubMessageChangedEntryHashFieldEvent | HubMessageChangedEntryTargetFieldEvent | HubMessageChangedEntryChunksFieldEvent | HubMessageChangedSeqFieldEvent | HubMessageChangedOriginFieldEvent | HubMessageChangedBlocksHashFieldEvent | HubMessageChangedBlocksDataFieldEvent | HubMessageChangedBlocksZstdFieldEvent | HubMessageChangedBlocksMissingFieldEvent | HubMessageChangedHoldersSeqFieldEvent | HubMessageChangedHoldersPeersFieldEvent | HubMessageChangedHoldersHeldFieldEvent | HubMessageResultIdFieldEvent | HubMessageResultOutcomeFieldEvent | HubMessageResultSeqFieldEvent | HubMessageResultCurrentPathFieldEvent | HubMessageResultCurrentKindFieldEvent | HubMessageResultCurrentSizeFieldEvent | HubMessageResultCurrentMtimeNsFieldEvent | HubMessageResultCurrentExecFieldEvent | HubMessageResultCurrentDeletedFieldEvent | HubMessageResultCurrentHashFieldEvent | HubMessageResultCurrentTargetFieldEvent | HubMessageResultCurrentChunksFieldEvent | HubMessageResultReasonFieldEvent | HubMessageCaughtUpSeqFieldEvent | HubMessageRefusedReasonFieldEvent | HubMessageMembersMembersPeerFieldEvent | HubMessageMembersMembersAddrsFieldEvent | HubMessageMembersLeftFieldEvent | HubMessageMembersResetFieldEvent | HubMessageHoldersSeqFieldEvent | HubMessageHoldersPeersFieldEvent | HubMessageHoldersHeldFieldEvent> {
    return streamMessage(buf, HubMessage.codec(), opts)
  }
}

export interface Members {
  members: Member[]
  left: string[]
  reset: boolean
}

export namespace Members {
  let _codec: Codec<Members>

  export const codec = (): Codec<Members> => {
    if (_codec == null) {
      _codec = message<Members>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.members != null && obj.members.length > 0) {
          for (const value of obj.members) {
            w.uint32(10)
            Member.codec().encode(value, w)
          }
        }

        if (obj.left != null && obj.left.length > 0) {
          for (const value of obj.left) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.reset != null && obj.reset !== false)) {
          w.uint32(24)
          w.bool(obj.reset)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          members: [],
          left: [],
          reset: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - repeated field "members" had too many elements')
              }

              obj.members.push(Member.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.members$
              }))
              break
            }
            case 2: {
              if (opts.limits?.left != null && obj.left.length === opts.limits.left) {
                throw new MaxLengthError('Decode error - repeated field "left" had too many elements')
              }

              obj.left.push(reader.string())
              break
            }
            case 3: {
              obj.reset = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          members: 0,
          left: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.members != null && obj.members === opts.limits.members) {
                throw new MaxLengthError('Streaming decode error - repeated field "members" had too many elements')
              }

              for (const evt of Member.codec().stream(reader, reader.uint32(), `${prefix}.members[]`, {
                limits: opts.limits?.members$
              })) {
                yield {
                  ...evt,
                  index: obj.members
                }
              }

              obj.members++

              break
            }
            case 2: {
              if (opts.limits?.left != null && obj.left === opts.limits.left) {
                throw new MaxLengthError('Streaming decode error - repeated field "left" had too many elements')
              }

              yield {
                field: `${prefix}.left[]`,
                index: obj.left,
                value: reader.string()
              }

              obj.left++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.reset`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MembersMembersPeerFieldEvent {
    field: '$.members[].peer'
    value: string
    index: number
  }

  export interface MembersMembersAddrsFieldEvent {
    field: '$.members[].addrs[]'
    index: number
    value: string
  }

  export interface MembersLeftFieldEvent {
    field: '$.left[]'
    index: number
    value: string
  }

  export interface MembersResetFieldEvent {
    field: '$.reset'
    value: boolean
  }

  export function encode (obj: Partial<Members>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Members.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Members>): Members {
    return decodeMessage(buf, Members.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Members>): Generator<MembersMembersPeerFieldEvent | MembersMembersAddrsFieldEvent | MembersLeftFieldEvent | MembersResetFieldEvent> {
    return streamMessage(buf, Members.codec(), opts)
  }
}

export interface Member {
  peer: string
  addrs: string[]
}

export namespace Member {
  let _codec: Codec<Member>

  export const codec = (): Codec<Member> => {
    if (_codec == null) {
      _codec = message<Member>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(10)
          w.string(obj.peer)
        }

        if (obj.addrs != null && obj.addrs.length > 0) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: '',
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          addrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements')
              }

              yield {
                field: `${prefix}.addrs[]`,
                index: obj.addrs,
                value: reader.string()
              }

              obj.addrs++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MemberPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export interface MemberAddrsFieldEvent {
    field: '$.addrs[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Member>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Member.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Member>): Member {
    return decodeMessage(buf, Member.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Member>): Generator<MemberPeerFieldEvent | MemberAddrsFieldEvent> {
    return streamMessage(buf, Member.codec(), opts)
  }
}

export interface Holders {
  seq: number
  peers: string[]
  held: boolean
}

export namespace Holders {
  let _codec: Codec<Holders>

  export const codec = (): Codec<Holders> => {
    if (_codec == null) {
      _codec = message<Holders>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.seq)
        }

        if (obj.peers != null && obj.peers.length > 0) {
          for (const value of obj.peers) {
            w.uint32(18)
            w.string(value)
          }
        }

        if ((obj.held != null && obj.held !== false)) {
          w.uint32(24)
          w.bool(obj.held)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0,
          peers: [],
          held: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64Number()
              break
            }
            case 2: {
              if (opts.limits?.peers != null && obj.peers.length === opts.limits.peers) {
                throw new MaxLengthError('Decode error - repeated field "peers" had too many elements')
              }

              obj.peers.push(reader.string())
              break
            }
            case 3: {
              obj.held = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          peers: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            case 2: {
              if (opts.limits?.peers != null && obj.peers === opts.limits.peers) {
                throw new MaxLengthError('Streaming decode error - repeated field "peers" had too many elements')
              }

              yield {
                field: `${prefix}.peers[]`,
                index: obj.peers,
                value: reader.string()
              }

              obj.peers++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.held`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HoldersSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface HoldersPeersFieldEvent {
    field: '$.peers[]'
    index: number
    value: string
  }

  export interface HoldersHeldFieldEvent {
    field: '$.held'
    value: boolean
  }

  export function encode (obj: Partial<Holders>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Holders.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Holders>): Holders {
    return decodeMessage(buf, Holders.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Holders>): Generator<HoldersSeqFieldEvent | HoldersPeersFieldEvent | HoldersHeldFieldEvent> {
    return streamMessage(buf, Holders.codec(), opts)
  }
}

export interface Changed {
  entry?: Entry
  seq: number
  origin: string
  blocks: Block[]
  holders?: Holders
}

export namespace Changed {
  let _codec: Codec<Changed>

  export const codec = (): Codec<Changed> => {
    if (_codec == null) {
      _codec = message<Changed>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.entry != null) {
          w.uint32(10)
          Entry.codec().encode(obj.entry, w)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.seq)
        }

        if ((obj.origin != null && obj.origin !== '')) {
          w.uint32(26)
          w.string(obj.origin)
        }

        if (obj.blocks != null && obj.blocks.length > 0) {
          for (const value of obj.blocks) {
            w.uint32(34)
            Block.codec().encode(value, w)
          }
        }

        if (obj.holders != null) {
          w.uint32(42)
          Holders.codec().encode(obj.holders, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0,
          origin: '',
          blocks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.entry = Entry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entry
              })
              break
            }
            case 2: {
              obj.seq = reader.uint64Number()
              break
            }
            case 3: {
              obj.origin = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.blocks != null && obj.blocks.length === opts.limits.blocks) {
                throw new MaxLengthError('Decode error - repeated field "blocks" had too many elements')
              }

              obj.blocks.push(Block.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.blocks$
              }))
              break
            }
            case 5: {
              obj.holders = Holders.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.holders
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          blocks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Entry.codec().stream(reader, reader.uint32(), `${prefix}.entry`, {
                limits: opts.limits?.entry
              })

              break
            }
            case 2: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.origin`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.blocks != null && obj.blocks === opts.limits.blocks) {
                throw new MaxLengthError('Streaming decode error - repeated field "blocks" had too many elements')
              }

              for (const evt of Block.codec().stream(reader, reader.uint32(), `${prefix}.blocks[]`, {
                limits: opts.limits?.blocks$
              })) {
                yield {
                  ...evt,
                  index: obj.blocks
                }
              }

              obj.blocks++

              break
            }
            case 5: {
              yield * Holders.codec().stream(reader, reader.uint32(), `${prefix}.holders`, {
                limits: opts.limits?.holders
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChangedEntryPathFieldEvent {
    field: '$.entry.path'
    value: string
  }

  export interface ChangedEntryKindFieldEvent {
    field: '$.entry.kind'
    value: Kind
  }

  export interface ChangedEntrySizeFieldEvent {
    field: '$.entry.size'
    value: number
  }

  export interface ChangedEntryMtimeNsFieldEvent {
    field: '$.entry.mtimeNs'
    value: bigint
  }

  export interface ChangedEntryExecFieldEvent {
    field: '$.entry.exec'
    value: boolean
  }

  export interface ChangedEntryDeletedFieldEvent {
    field: '$.entry.deleted'
    value: boolean
  }

  export interface ChangedEntryHashFieldEvent {
    field: '$.entry.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChangedEntryTargetFieldEvent {
    field: '$.entry.target'
    value: string
  }

  export interface ChangedEntryChunksFieldEvent {
    field: '$.entry.chunks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChangedSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface ChangedOriginFieldEvent {
    field: '$.origin'
    value: string
  }

  export interface ChangedBlocksHashFieldEvent {
    field: '$.blocks[].hash'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ChangedBlocksDataFieldEvent {
    field: '$.blocks[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ChangedBlocksZstdFieldEvent {
    field: '$.blocks[].zstd'
    value: boolean
    index: number
  }

  export interface ChangedBlocksMissingFieldEvent {
    field: '$.blocks[].missing'
    value: boolean
    index: number
  }

  export interface ChangedHoldersSeqFieldEvent {
    field: '$.holders.seq'
    value: number
  }

  export interface ChangedHoldersPeersFieldEvent {
    field: '$.holders.peers[]'
    index: number
    value: string
  }

  export interface ChangedHoldersHeldFieldEvent {
    field: '$.holders.held'
    value: boolean
  }

  export function encode (obj: Partial<Changed>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Changed.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Changed>): Changed {
    return decodeMessage(buf, Changed.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Changed>): Generator<ChangedEntryPathFieldEvent | ChangedEntryKindFieldEvent | ChangedEntrySizeFieldEvent | ChangedEntryMtimeNsFieldEvent | ChangedEntryExecFieldEvent | ChangedEntryDeletedFieldEvent | ChangedEntryHashFieldEvent | ChangedEntryTargetFieldEvent | ChangedEntryChunksFieldEvent | ChangedSeqFieldEvent | ChangedOriginFieldEvent | ChangedBlocksHashFieldEvent | ChangedBlocksDataFieldEvent | ChangedBlocksZstdFieldEvent | ChangedBlocksMissingFieldEvent | ChangedHoldersSeqFieldEvent | ChangedHoldersPeersFieldEvent | ChangedHoldersHeldFieldEvent> {
    return streamMessage(buf, Changed.codec(), opts)
  }
}

export enum Outcome {
  ACCEPTED = 'ACCEPTED',
  SUPERSEDED = 'SUPERSEDED',
  REJECTED = 'REJECTED'
}

enum __OutcomeValues {
  ACCEPTED = 0,
  SUPERSEDED = 1,
  REJECTED = 2
}

export namespace Outcome {
  export const codec = (): Codec<Outcome> => {
    return enumeration<Outcome>(__OutcomeValues)
  }
}

export interface Result {
  id: number
  outcome: Outcome
  seq: number
  current?: Entry
  reason: string
}

export namespace Result {
  let _codec: Codec<Result>

  export const codec = (): Codec<Result> => {
    if (_codec == null) {
      _codec = message<Result>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if (obj.outcome != null && __OutcomeValues[obj.outcome] !== 0) {
          w.uint32(16)
          Outcome.codec().encode(obj.outcome, w)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(24)
          w.uint64Number(obj.seq)
        }

        if (obj.current != null) {
          w.uint32(34)
          Entry.codec().encode(obj.current, w)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(42)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          outcome: Outcome.ACCEPTED,
          seq: 0,
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.outcome = Outcome.codec().decode(reader)
              break
            }
            case 3: {
              obj.seq = reader.uint64Number()
              break
            }
            case 4: {
              obj.current = Entry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.current
              })
              break
            }
            case 5: {
              obj.reason = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.outcome`,
                value: Outcome.codec().decode(reader)
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield * Entry.codec().stream(reader, reader.uint32(), `${prefix}.current`, {
                limits: opts.limits?.current
              })

              break
            }
            case 5: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ResultIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface ResultOutcomeFieldEvent {
    field: '$.outcome'
    value: Outcome
  }

  export interface ResultSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export interface ResultCurrentPathFieldEvent {
    field: '$.current.path'
    value: string
  }

  export interface ResultCurrentKindFieldEvent {
    field: '$.current.kind'
    value: Kind
  }

  export interface ResultCurrentSizeFieldEvent {
    field: '$.current.size'
    value: number
  }

  export interface ResultCurrentMtimeNsFieldEvent {
    field: '$.current.mtimeNs'
    value: bigint
  }

  export interface ResultCurrentExecFieldEvent {
    field: '$.current.exec'
    value: boolean
  }

  export interface ResultCurrentDeletedFieldEvent {
    field: '$.current.deleted'
    value: boolean
  }

  export interface ResultCurrentHashFieldEvent {
    field: '$.current.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResultCurrentTargetFieldEvent {
    field: '$.current.target'
    value: string
  }

  export interface ResultCurrentChunksFieldEvent {
    field: '$.current.chunks'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ResultReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<Result>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Result.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Result>): Result {
    return decodeMessage(buf, Result.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Result>): Generator<ResultIdFieldEvent | ResultOutcomeFieldEvent | ResultSeqFieldEvent | ResultCurrentPathFieldEvent | ResultCurrentKindFieldEvent | ResultCurrentSizeFieldEvent | ResultCurrentMtimeNsFieldEvent | ResultCurrentExecFieldEvent | ResultCurrentDeletedFieldEvent | ResultCurrentHashFieldEvent | ResultCurrentTargetFieldEvent | ResultCurrentChunksFieldEvent | ResultReasonFieldEvent> {
    return streamMessage(buf, Result.codec(), opts)
  }
}

export interface CaughtUp {
  seq: number
}

export namespace CaughtUp {
  let _codec: Codec<CaughtUp>

  export const codec = (): Codec<CaughtUp> => {
    if (_codec == null) {
      _codec = message<CaughtUp>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(8)
          w.uint64Number(obj.seq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          seq: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.seq = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64Number()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CaughtUpSeqFieldEvent {
    field: '$.seq'
    value: number
  }

  export function encode (obj: Partial<CaughtUp>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CaughtUp.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CaughtUp>): CaughtUp {
    return decodeMessage(buf, CaughtUp.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CaughtUp>): Generator<CaughtUpSeqFieldEvent> {
    return streamMessage(buf, CaughtUp.codec(), opts)
  }
}

export interface Refused {
  reason: string
}

export namespace Refused {
  let _codec: Codec<Refused>

  export const codec = (): Codec<Refused> => {
    if (_codec == null) {
      _codec = message<Refused>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(10)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.reason = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RefusedReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<Refused>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Refused.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Refused>): Refused {
    return decodeMessage(buf, Refused.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Refused>): Generator<RefusedReasonFieldEvent> {
    return streamMessage(buf, Refused.codec(), opts)
  }
}

export interface BlockRequest {
  hashes: Uint8Array<ArrayBuffer>[]
}

export namespace BlockRequest {
  let _codec: Codec<BlockRequest>

  export const codec = (): Codec<BlockRequest> => {
    if (_codec == null) {
      _codec = message<BlockRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.hashes != null && obj.hashes.length > 0) {
          for (const value of obj.hashes) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hashes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.hashes != null && obj.hashes.length === opts.limits.hashes) {
                throw new MaxLengthError('Decode error - repeated field "hashes" had too many elements')
              }

              obj.hashes.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          hashes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.hashes != null && obj.hashes === opts.limits.hashes) {
                throw new MaxLengthError('Streaming decode error - repeated field "hashes" had too many elements')
              }

              yield {
                field: `${prefix}.hashes[]`,
                index: obj.hashes,
                value: reader.bytes()
              }

              obj.hashes++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BlockRequestHashesFieldEvent {
    field: '$.hashes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BlockRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BlockRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlockRequest>): BlockRequest {
    return decodeMessage(buf, BlockRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BlockRequest>): Generator<BlockRequestHashesFieldEvent> {
    return streamMessage(buf, BlockRequest.codec(), opts)
  }
}

export interface Block {
  hash: Uint8Array<ArrayBuffer>
  data: Uint8Array<ArrayBuffer>
  zstd: boolean
  missing: boolean
}

export namespace Block {
  let _codec: Codec<Block>

  export const codec = (): Codec<Block> => {
    if (_codec == null) {
      _codec = message<Block>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.hash)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if ((obj.zstd != null && obj.zstd !== false)) {
          w.uint32(24)
          w.bool(obj.zstd)
        }

        if ((obj.missing != null && obj.missing !== false)) {
          w.uint32(32)
          w.bool(obj.missing)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          hash: uint8ArrayAlloc(0),
          data: uint8ArrayAlloc(0),
          zstd: false,
          missing: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.hash = reader.bytes()
              break
            }
            case 2: {
              obj.data = reader.bytes()
              break
            }
            case 3: {
              obj.zstd = reader.bool()
              break
            }
            case 4: {
              obj.missing = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.hash`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.zstd`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.missing`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BlockHashFieldEvent {
    field: '$.hash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export interface BlockZstdFieldEvent {
    field: '$.zstd'
    value: boolean
  }

  export interface BlockMissingFieldEvent {
    field: '$.missing'
    value: boolean
  }

  export function encode (obj: Partial<Block>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Block.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Block>): Block {
    return decodeMessage(buf, Block.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Block>): Generator<BlockHashFieldEvent | BlockDataFieldEvent | BlockZstdFieldEvent | BlockMissingFieldEvent> {
    return streamMessage(buf, Block.codec(), opts)
  }
}
