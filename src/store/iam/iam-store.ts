import type { Db } from "../database.js";
import { EntityRepository } from "./entities.js";
import { InlinePolicyRepository } from "./inline-policies.js";
import { LinkRepository } from "./links.js";
import { ManagedPolicyRepository } from "./policies.js";
import type { IamRevision } from "./revision.js";

/** IAM's state in openrunner.db (its migration in migrations.ts): entities, their links, inline and managed policies; every write moves `revision`. */
export class IamStore {
  readonly entities: EntityRepository;
  readonly links: LinkRepository;
  readonly inline: InlinePolicyRepository;
  readonly policies: ManagedPolicyRepository;

  constructor(
    db: Db,
    readonly revision: IamRevision,
  ) {
    this.entities = new EntityRepository(db, revision);
    this.links = new LinkRepository(db, revision);
    this.inline = new InlinePolicyRepository(db, revision);
    this.policies = new ManagedPolicyRepository(db, revision);
  }
}
