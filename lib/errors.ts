/**
 * An application error that podinfo reports as its `{code, message}` envelope (spec §4.7).
 * The HTTP status is 200 unless the spec gives the route a real status.
 */
export class EnvelopeError extends Error {
  constructor (readonly envelopeCode: number, message: string, readonly httpStatus = 200) {
    super(message)
    this.name = 'EnvelopeError'
  }
}

/** An error that must end the exchange without any response (spec §4.2: Go handler panic). */
export class DropConnectionError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'DropConnectionError'
  }
}
