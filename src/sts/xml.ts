import type { TemporaryCredentials } from "../iam/sessions.js";
import { escapeXml } from "../protocol/query/escape-xml.js";
import { isoSeconds } from "../util/clock.js";

export const STS_XML_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

/** `<Name>value</Name>` with the value escaped; nothing for an absent value. */
export const element = (name: string, value: string | number | undefined): string =>
  value === undefined ? "" : `<${name}>${escapeXml(String(value))}</${name}>`;

/** An operation's answer: `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…</ResponseMetadata></OpResponse>`. */
export function responseXml(operation: string, resultXml: string, requestId: string): string {
  return (
    `<${operation}Response xmlns="${STS_XML_NAMESPACE}">` +
    `<${operation}Result>${resultXml}</${operation}Result>` +
    `<ResponseMetadata>${element("RequestId", requestId)}</ResponseMetadata>` +
    `</${operation}Response>`
  );
}

/** The Credentials element of AssumeRole and GetSessionToken: the one place the secret and the token are ever sent. */
export function credentialsXml(c: TemporaryCredentials): string {
  return (
    `<Credentials>${element("AccessKeyId", c.accessKeyId)}${element("SecretAccessKey", c.secretAccessKey)}` +
    `${element("SessionToken", c.sessionToken)}${element("Expiration", isoSeconds(c.expiration))}</Credentials>`
  );
}

/**
 * What the audit trail gets of issued credentials: the key id and the expiry; the token is
 * named so the trail shows it was returned (hidden by the trail's redaction), the secret is
 * not given to the trail at all.
 */
export function credentialsForTrail(c: TemporaryCredentials): Record<string, unknown> {
  return { AccessKeyId: c.accessKeyId, SessionToken: c.sessionToken, Expiration: isoSeconds(c.expiration) };
}
