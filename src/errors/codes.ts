/**
 * The one table of error codes. Each code maps to the AWS exception name and HTTP status the
 * real App Runner (or the AWS front door, for protocol and auth errors) answers with.
 */
export const ERROR_CODES = {
  InvalidRequest: { type: "InvalidRequestException", status: 400 },
  InvalidState: { type: "InvalidStateException", status: 400 },
  ResourceNotFound: { type: "ResourceNotFoundException", status: 400 },
  ServiceQuotaExceeded: { type: "ServiceQuotaExceededException", status: 402 },
  InternalServiceError: { type: "InternalServiceErrorException", status: 500 },
  // Protocol layer: what the AWS JSON front door answers before an operation runs.
  UnknownOperation: { type: "UnknownOperationException", status: 400 },
  Serialization: { type: "SerializationException", status: 400 },
  UnsupportedMediaType: { type: "UnsupportedMediaTypeException", status: 415 },
  // Authentication (SigV4) errors.
  MissingAuthenticationToken: { type: "MissingAuthenticationTokenException", status: 403 },
  IncompleteSignature: { type: "IncompleteSignatureException", status: 403 },
  UnrecognizedClient: { type: "UnrecognizedClientException", status: 403 },
  InvalidSignature: { type: "InvalidSignatureException", status: 403 },
  AccessDenied: { type: "AccessDeniedException", status: 403 },
  // Engine-level failures recorded on Operations (never sent as an HTTP error on their own).
  RuntimeUnavailable: { type: "InternalServiceErrorException", status: 500 },
} as const satisfies Record<string, { type: string; status: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;
