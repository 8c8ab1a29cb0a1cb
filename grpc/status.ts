import { ServerError, Status } from 'nice-grpc'
import type { StatusServiceImplementation } from './gen/status/status.js'

/** The names podinfo accepts (Go's `codes.Code` names), case-sensitive. */
const CODES: Record<string, Status> = {
  Ok: Status.OK,
  Canceled: Status.CANCELLED,
  Unknown: Status.UNKNOWN,
  InvalidArgument: Status.INVALID_ARGUMENT,
  DeadlineExceeded: Status.DEADLINE_EXCEEDED,
  NotFound: Status.NOT_FOUND,
  AlreadyExists: Status.ALREADY_EXISTS,
  PermissionDenied: Status.PERMISSION_DENIED,
  ResourceExhausted: Status.RESOURCE_EXHAUSTED,
  FailedPrecondition: Status.FAILED_PRECONDITION,
  Aborted: Status.ABORTED,
  OutOfRange: Status.OUT_OF_RANGE,
  Unimplemented: Status.UNIMPLEMENTED,
  Internal: Status.INTERNAL,
  Unavailable: Status.UNAVAILABLE,
  DataLoss: Status.DATA_LOSS,
  Unauthenticated: Status.UNAUTHENTICATED
}

export const UNKNOWN_CODE_MESSAGE = 'Unknown status code for more information check https://chromium.googlesource.com/external/github.com/grpc/grpc/+/refs/tags/v1.21.4-pre1/doc/statuscodes.md'

/**
 * `/status.StatusService/Status` (spec §11.2): `Ok` answers `{status: "Ok"}`, any other
 * listed name fails with that code and an empty message, anything else (`OK`, `""`, ...)
 * fails with UNKNOWN and podinfo's pointer to the status code list.
 */
export function statusService (): StatusServiceImplementation {
  return {
    async status ({ code }) {
      const status = Object.hasOwn(CODES, code) ? CODES[code] : undefined
      if (status === undefined) throw new ServerError(Status.UNKNOWN, UNKNOWN_CODE_MESSAGE)
      if (status !== Status.OK) throw new ServerError(status, '')
      return { status: code }
    }
  }
}
