export class ProtocolError extends Error {
  override name = 'ProtocolError'
  readonly code: string
  constructor (code: string, message: string) {
    super(message)
    this.code = code
  }
}
