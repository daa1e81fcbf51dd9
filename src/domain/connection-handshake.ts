import type { Connection } from "@aws-sdk/client-apprunner";
import type { Wire } from "../protocol/wire.js";
import { invalidRequest, notFound } from "../errors/app-runner-error.js";
import type { SealedSecret, SecretBox } from "../iam/secret-box.js";
import type { ResourceRow } from "../store/resources.js";
import type { Store } from "../store/store.js";
import type { Clock } from "../util/clock.js";

export type ConnectionDoc = Wire<Connection>;

/** What OpenRunner keeps about a connection beyond the API shape; never returned by the API. */
export interface ConnectionInternal {
  /** The provider's access token, sealed with the data directory's key (bound to the ARN). */
  token?: SealedSecret;
  /** Epoch milliseconds of the last completed handshake. */
  handshakeAt?: number;
}

export type ConnectionRow = ResourceRow<ConnectionDoc, ConnectionInternal>;

function liveConnection(store: Store, arn: string): ConnectionRow {
  const row = store.resources.get<ConnectionDoc, ConnectionInternal>(arn);
  if (!row || row.kind !== "connection" || row.deletedAt !== null) throw notFound(`Connection not found: ${arn}`);
  return row;
}

/**
 * Completes the provider handshake the developer guide leaves to the console ("Complete
 * handshake"): the token the provider issued is sealed and the connection becomes AVAILABLE.
 * Shared by `openrunner connection complete-handshake` and, later, the web console. A second
 * handshake on an AVAILABLE connection replaces the token (rotation).
 */
export function completeHandshake(
  deps: { store: Store; clock: Clock },
  box: SecretBox,
  arn: string,
  token: string,
): ConnectionDoc {
  const trimmed = token.trim();
  if (trimmed === "") throw invalidRequest("The provider token is empty.");
  return deps.store.tx(() => {
    const row = liveConnection(deps.store, arn);
    row.status = "AVAILABLE";
    row.doc = { ...row.doc, Status: "AVAILABLE" };
    row.internal = { ...row.internal, token: box.seal(trimmed, arn), handshakeAt: deps.clock.now() };
    deps.store.resources.update(row);
    return row.doc;
  });
}
