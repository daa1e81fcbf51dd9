import type { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ErrorCode } from "../../errors/codes.js";

/**
 * The awsQuery `<Code>` for errors that have one of their own: CloudWatch's modeled errors
 * (botocore's model: InvalidParameterValue, MissingParameter, …) and the query front door's
 * authentication errors, which differ from the JSON front door's (InvalidClientTokenId for an
 * unknown key, SignatureDoesNotMatch for every signature, scope and expiry failure, as
 * CloudWatch's XML answers show).
 */
const QUERY_CODES: Partial<Record<ErrorCode, string>> = {
  CloudWatchInvalidParameterValue: "InvalidParameterValue",
  CloudWatchMissingParameter: "MissingParameter",
  CloudWatchInvalidParameterCombination: "InvalidParameterCombination",
  CloudWatchInvalidNextToken: "InvalidNextToken",
  UnknownOperation: "InvalidAction",
  Serialization: "MalformedQueryString",
  RequestEntityTooLarge: "RequestEntityTooLarge",
  MissingAuthenticationToken: "MissingAuthenticationToken",
  IncompleteSignature: "IncompleteSignature",
  UnrecognizedClient: "InvalidClientTokenId",
  InvalidSignature: "SignatureDoesNotMatch",
  AccessDenied: "AccessDenied",
  InternalServiceError: "InternalServiceError",
};

export interface QueryError {
  code: string;
  type: "Sender" | "Receiver";
  status: number;
}

export function queryErrorOf(err: AppRunnerError): QueryError {
  const code = QUERY_CODES[err.code] ?? err.awsType.replace(/Exception$/, "");
  return { code, type: err.httpStatus >= 500 ? "Receiver" : "Sender", status: err.httpStatus };
}
