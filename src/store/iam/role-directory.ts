import type { RoleDirectory, RoleRecord } from "../../iam/roles.js";
import type { EntityRow } from "./entities.js";
import type { IamStore } from "./iam-store.js";

/** A role's own fields, as the IAM API stores them in its entity's doc. */
export interface RoleDoc {
  trustPolicy: string;
  description?: string;
  maxSessionDuration: number;
}

export const roleDocOf = (row: EntityRow): RoleDoc => row.doc as unknown as RoleDoc;

export function roleRecordOf(iam: IamStore, row: EntityRow): RoleRecord {
  const doc = roleDocOf(row);
  return {
    arn: row.arn,
    name: row.name,
    roleId: row.id,
    path: row.path,
    trustPolicy: doc.trustPolicy,
    maxSessionDuration: doc.maxSessionDuration,
    tags: Object.fromEntries(iam.entities.tags(row.id).map((t) => [t.Key, t.Value])),
  };
}

/** Roles by ARN, for STS's AssumeRole and App Runner's own use of access and instance roles. */
export function storeRoleDirectory(iam: IamStore): RoleDirectory {
  return {
    roleByArn(arn) {
      const row = iam.entities.byArn(arn);
      return row && row.kind === "role" ? roleRecordOf(iam, row) : undefined;
    },
  };
}
