import type { EntityKind } from "../store/iam/entities.js";

/** ARNs as IAM makes them: `arn:aws:iam::<account>:<kind>/<path><name>`, path "/" or "/a/b/". */
const ARN_KIND: Record<EntityKind, string> = { user: "user", group: "group", role: "role", "instance-profile": "instance-profile" };

export const entityArn = (accountId: string, kind: EntityKind, path: string, name: string): string => `arn:aws:iam::${accountId}:${ARN_KIND[kind]}${path}${name}`;

export const customerPolicyArn = (accountId: string, path: string, name: string): string => `arn:aws:iam::${accountId}:policy${path}${name}`;

export const awsManagedPolicyArn = (path: string, name: string): string => `arn:aws:iam::aws:policy${path}${name}`;

/** The kind's name in IAM's messages ("The user with name x cannot be found."). */
export const KIND_WORD: Record<EntityKind, string> = { user: "user", group: "group", role: "role", "instance-profile": "instance profile" };

/** IAM returns policy documents URL-encoded (RFC 3986), as the AWS CLI decodes them and SDK users must. */
export const encodedDocument = (document: string): string => encodeURIComponent(document);
