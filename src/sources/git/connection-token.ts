import type { ConnectionDoc, ConnectionInternal } from "../../domain/connection-handshake.js";
import type { ServiceDoc } from "../../domain/service-record.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import { SecretBox } from "../../iam/secret-box.js";
import type { Store } from "../../store/store.js";
import type { GitAuth } from "./git-command.js";

/** The master key connection tokens are sealed with, or the data directory whose own secret.key it is. */
export type MasterKey = string | SecretBox;

/**
 * The provider token of the connection `connectionArn`, for fetching a private repository. The
 * connection must exist and be AVAILABLE (its handshake completed); the token is opened with the
 * master key (`masterKey`, or the data directory's own secret.key when given the directory) and
 * the connection's ARN as context, as `openrunner connection complete-handshake` sealed it. The token is returned, never logged or put in a message.
 */
export function connectionToken(store: Store, masterKey: MasterKey, connectionArn: string): string {
  const row = store.resources.get<ConnectionDoc, ConnectionInternal>(connectionArn);
  if (!row || row.kind !== "connection" || row.deletedAt !== null) {
    throw new AppRunnerError(
      "InvalidRequest",
      `Connection ${connectionArn} does not exist (it was deleted or never created): give the service an existing connection.`,
    );
  }
  if (row.status !== "AVAILABLE") {
    throw new AppRunnerError("InvalidRequest", `Connection ${row.name} is not AVAILABLE (status ${row.status}): complete its handshake first`);
  }
  if (!row.internal.token) {
    throw new AppRunnerError("InvalidRequest", `Connection ${row.name} has no token: complete its handshake again`);
  }
  try {
    return (typeof masterKey === "string" ? SecretBox.forDataDir(masterKey) : masterKey).open(row.internal.token, row.arn);
  } catch (err) {
    const keyName = typeof masterKey === "string" ? `${masterKey}/secret.key` : "the master key";
    throw new AppRunnerError(
      "InternalServiceError",
      `The token of connection ${row.name} cannot be opened with ${keyName} (was the key replaced?): complete its handshake again`,
      { cause: err },
    );
  }
}

/** The credentials a service's source is fetched with: its connection's token, if it has one. */
export function sourceAuth(store: Store, masterKey: MasterKey, source: ServiceDoc["SourceConfiguration"]): GitAuth | undefined {
  const arn = source?.AuthenticationConfiguration?.ConnectionArn;
  return arn ? { token: connectionToken(store, masterKey, arn) } : undefined;
}
