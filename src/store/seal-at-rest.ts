import type { Db } from "./database.js";
import { SEALED_MEMBER_NAMES, SealedJson } from "./sealed-json.js";
import { operationContext } from "./operations.js";
import type { AccessKeyRepository } from "./access-keys.js";

/** A row that may hold a sealed member (in clear or not): the JSON text names it. */
const mayHold = (column: string): string => SEALED_MEMBER_NAMES.map((m) => `${column} LIKE '%"${m}"%'`).join(" OR ");

/**
 * Data directories from before secrets were sealed hold secret keys and environment values in
 * clear: seal them on start, with SQLite's secure_delete on so the old bytes are zeroed rather
 * than left in free space, rebuild the file (VACUUM) and truncate the WAL that still carries
 * the old pages. Rows that are sealed already are left alone, so this costs one scan per start.
 */
export function sealClearSecrets(db: Db, json: SealedJson, keys: AccessKeyRepository): number {
  const resources = (
    db.prepare(`SELECT arn, doc, internal FROM resources WHERE ${mayHold("doc")} OR ${mayHold("internal")}`).all() as {
      arn: string;
      doc: string;
      internal: string;
    }[]
  ).filter((r) => SealedJson.holdsClear(r.doc) || SealedJson.holdsClear(r.internal));
  const operations = (
    db.prepare(`SELECT id, state FROM operations WHERE ${mayHold("state")}`).all() as { id: string; state: string }[]
  ).filter((o) => SealedJson.holdsClear(o.state));
  const clearKeys = db.prepare(`SELECT COUNT(*) AS n FROM access_keys WHERE secret_access_key NOT LIKE '{%'`).get() as { n: number };
  if (resources.length === 0 && operations.length === 0 && clearKeys.n === 0) return 0;

  const before = db.pragma("secure_delete", { simple: true }) as number;
  db.pragma("secure_delete = ON");
  try {
    const sealed = db.transaction(() => {
      const updateResource = db.prepare(`UPDATE resources SET doc = ?, internal = ?, version = version + 1 WHERE arn = ?`);
      for (const r of resources) {
        updateResource.run(json.stringify(JSON.parse(r.doc), r.arn), json.stringify(JSON.parse(r.internal), r.arn), r.arn);
      }
      const updateOperation = db.prepare(`UPDATE operations SET state = ? WHERE id = ?`);
      for (const o of operations) updateOperation.run(json.stringify(JSON.parse(o.state), operationContext(o.id)), o.id);
      return resources.length + operations.length + keys.sealClearSecrets();
    })();
    // Older versions of these rows may linger in pages freed before secure_delete was on.
    db.exec("VACUUM");
    db.pragma("wal_checkpoint(TRUNCATE)");
    return sealed;
  } finally {
    db.pragma(`secure_delete = ${before}`);
  }
}
