import type { ApiCallRecord, AwsJsonApi } from "../../protocol/service-registry.js";
import type { Principal } from "../../iam/sigv4/verify.js";
import { capParameters, capText, MAX_PARAMETERS_BYTES } from "./field-limits.js";
import { isReadOnly } from "./read-only.js";
import { trailParameters } from "./redact.js";
import { resourcesOf, type TrailResource } from "./resources.js";
import { userIdentityJsonOf, usernameOf } from "./user-identity.js";

/** One recorded call: the CloudTrail event and the columns LookupEvents searches by. */
export interface TrailEntry {
  eventId: string;
  /** Milliseconds, cut to whole seconds as eventTime is, so lookups by time agree with what is shown. */
  eventTime: number;
  eventName: string;
  eventSource: string;
  readOnly: boolean;
  username: string | undefined;
  accessKeyId: string | undefined;
  resources: TrailResource[];
  /** The CloudTrail event as JSON: what LookupEvents returns as CloudTrailEvent. */
  event: string;
}

export interface TrailContext {
  region: string;
  accountId: string;
  eventId: string;
  principal: Principal | undefined;
}

/**
 * What the trail keeps of a call's request, redacted: the audit module works it out before the
 * call runs (a call whose parameters cannot be recorded does not run) and hands it back in the
 * context; calls refused before that are worked out here.
 */
export const requestParametersOf = (call: { api: AwsJsonApi; operation: string; input: unknown }): Record<string, unknown> | null =>
  trailParameters(call.api, call.operation, "input", call.input);

const q = (text: string): string => JSON.stringify(text);

/**
 * JSON string literals of the values calls repeat (operation, region, event source, source IP,
 * user agent, account): quoted once, not on every call. JSON.stringify of a short string was
 * about a tenth of the audit trail's time on the event loop (docs/performance.md, "December (5)").
 * Bounded: a caller varying its user agent on every call only makes the map start over.
 */
const MAX_QUOTED = 1000;
function keptQuoting(kept: Map<string, string>, key: string, text: (key: string) => string): string {
  let json = kept.get(key);
  if (json === undefined) {
    json = q(text(key));
    if (kept.size >= MAX_QUOTED) kept.clear();
    kept.set(key, json);
  }
  return json;
}
const quoted = new Map<string, string>();
const asIs = (text: string): string => text;
const repeated = (text: string): string => keptQuoting(quoted, text, asIs);

/** Printable ASCII but `"` and `\\`: text JSON quotes as it is (request ids OpenRunner made, and others' as they come). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const quotedOnce = (text: string): string => (PLAIN.test(text) ? `"${text}"` : q(text));

/** eventTime as CloudTrail writes it; calls come many to a second, so the last second's text is kept. */
let lastSecond = { ms: Number.NaN, text: "" };
function isoSecond(ms: number): string {
  if (ms !== lastSecond.ms) lastSecond = { ms, text: new Date(ms).toISOString().replace(".000Z", "Z") };
  return lastSecond.text;
}

/** `::ffff:127.0.0.1` is how Node shows an IPv4 peer on a dual-stack socket; CloudTrail shows the IPv4 address. */
const sourceIp = (ip: string): string => (ip.startsWith("::ffff:") ? ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1") : ip);

/** sourceIPAddress as JSON, by the socket's address: callers are few, calls many. */
const sourceIps = new Map<string, string>();
const sourceIpJson = (ip: string): string => keptQuoting(sourceIps, ip, sourceIp);

/** AWS services sign as their endpoint prefix (apprunner, logs, events, monitoring, cloudtrail). */
export const eventSourceOf = (api: AwsJsonApi): string => `${api.signingName}.amazonaws.com`;

/**
 * The CloudTrail record of one call, in the field order of the guide's CreateService example.
 * Only the parsed request and response go in: never headers, so never the SigV4 signature, and
 * the principal's secret key is not part of a Principal.
 */
export function toTrailEntry(
  call: ApiCallRecord & { api: AwsJsonApi; operation: string },
  ctx: TrailContext & { requestParameters?: Record<string, unknown> | null },
): TrailEntry {
  const readOnly = isReadOnly(call.operation);
  const failed = call.errorCode !== undefined;
  const request = ctx.requestParameters !== undefined ? ctx.requestParameters : requestParametersOf(call);
  // CloudTrail leaves responseElements null for most reads and for every failed call.
  const response = readOnly || failed ? null : trailParameters(call.api, call.operation, "output", call.output);
  const eventTime = Math.floor(call.time / 1000) * 1000;
  const eventSource = eventSourceOf(call.api);
  // The event's text built around the per-call values, in the order JSON.stringify of the event
  // object gave (the guide's): the identity's JSON is kept per principal, and the fixed fields
  // are written as text, not stringified again for every call (cloudtrail-event.test.ts holds it
  // to JSON.stringify's output).
  const head =
    `{"eventVersion":"1.08","userIdentity":${userIdentityJsonOf(ctx.principal)},"eventTime":"${isoSecond(eventTime)}",` +
    `"eventSource":${repeated(eventSource)},"eventName":${repeated(call.operation)},"awsRegion":${repeated(ctx.region)},` +
    `"sourceIPAddress":${sourceIpJson(call.sourceIp)},"userAgent":${repeated(capText(call.userAgent))}` +
    (failed ? `,"errorCode":${q(call.errorCode ?? "")},"errorMessage":${q(capText(call.errorMessage ?? ""))}` : "");
  const tail =
    `"requestID":${quotedOnce(call.requestId)},"eventID":${quotedOnce(ctx.eventId)},"readOnly":${readOnly},"eventType":"AwsApiCall",` +
    `"managementEvent":true,"recipientAccountId":${repeated(ctx.accountId)},"eventCategory":"Management"}`;
  const eventOf = (requestParameters: unknown, responseElements: unknown): string =>
    `${head},"requestParameters":${JSON.stringify(requestParameters)},"responseElements":${JSON.stringify(responseElements)},${tail}`;
  // One JSON.stringify per call: an event this short (at most 3 UTF-8 bytes a character) cannot
  // hold parameters over the limit, so capping them (another stringify each) would change nothing.
  let requestParameters: ReturnType<typeof capParameters> = request;
  let responseElements: ReturnType<typeof capParameters> = response;
  let event = eventOf(request, response);
  if (event.length * 3 > MAX_PARAMETERS_BYTES) {
    requestParameters = capParameters(request);
    responseElements = capParameters(response);
    event = eventOf(requestParameters, responseElements);
  }
  return {
    eventId: ctx.eventId,
    eventTime,
    eventName: call.operation,
    eventSource,
    readOnly,
    username: usernameOf(ctx.principal),
    accessKeyId: ctx.principal?.accessKeyId,
    resources: resourcesOf(requestParameters, responseElements),
    event,
  };
}
