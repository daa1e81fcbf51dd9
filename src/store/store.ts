import { AccessKeyRepository } from "./access-keys.js";
import { openDatabase, type Db } from "./database.js";
import { EventOutboxRepository } from "./event-outbox.js";
import { MetaRepository } from "./meta.js";
import { OperationRepository } from "./operations.js";
import { ResourceRepository } from "./resources.js";
import { TagRepository } from "./tags.js";

/** The only shared state: every component reads and writes through these repositories. */
export class Store {
  readonly meta: MetaRepository;
  readonly accessKeys: AccessKeyRepository;
  readonly resources: ResourceRepository;
  readonly operations: OperationRepository;
  readonly tags: TagRepository;
  readonly outbox: EventOutboxRepository;

  private constructor(readonly db: Db) {
    this.meta = new MetaRepository(db);
    this.accessKeys = new AccessKeyRepository(db);
    this.resources = new ResourceRepository(db);
    this.operations = new OperationRepository(db);
    this.tags = new TagRepository(db);
    this.outbox = new EventOutboxRepository(db);
  }

  static open(file: string): Store {
    return new Store(openDatabase(file));
  }

  /** Runs fn in one transaction: all of its writes land, or none do. */
  tx<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      // The rollback may have undone versions the document cache already saw.
      this.resources.forgetCachedRows();
      throw err;
    }
  }

  close(): void {
    this.db.close();
  }
}
