import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import { SecretBox } from "../iam/secret-box.js";
import { AccessKeyRepository } from "./access-keys.js";
import { openDatabase, type Db } from "./database.js";
import { EventOutboxRepository } from "./event-outbox.js";
import { IamStore } from "./iam/iam-store.js";
import { IamRevision } from "./iam/revision.js";
import { MetaRepository } from "./meta.js";
import { OperationRepository } from "./operations.js";
import { ParameterRepository } from "./parameters/parameter-store.js";
import { ResourceRepository } from "./resources.js";
import { sealClearSecrets } from "./seal-at-rest.js";
import { SealedJson, type MemberKeyring } from "./sealed-json.js";
import { SessionRepository } from "./sessions.js";
import { TagRepository } from "./tags.js";

/** The only shared state: every component reads and writes through these repositories. */
export class Store {
  readonly meta: MetaRepository;
  readonly accessKeys: AccessKeyRepository;
  readonly resources: ResourceRepository;
  readonly operations: OperationRepository;
  readonly tags: TagRepository;
  readonly outbox: EventOutboxRepository;
  /** Temporary credentials (STS). */
  readonly sessions: SessionRepository;
  /** Users, groups, roles, policies (src/store/iam); `iam.revision` moves on every IAM write, keys included. */
  readonly iam: IamStore;
  /** SSM Parameter Store's parameters, their versions and labels; values sealed or KMS envelopes. */
  readonly parameters: ParameterRepository;
  /** Made once: better-sqlite3 builds a wrapper per transaction() call. */
  private readonly readTx;
  private readonly json: SealedJson;

  private constructor(
    readonly db: Db,
    box: SecretBox,
  ) {
    const json = new SealedJson(box);
    this.json = json;
    const iamRevision = new IamRevision();
    this.meta = new MetaRepository(db);
    this.accessKeys = new AccessKeyRepository(db, box, iamRevision);
    this.iam = new IamStore(db, iamRevision);
    this.resources = new ResourceRepository(db, json);
    this.operations = new OperationRepository(db, json);
    this.tags = new TagRepository(db);
    this.outbox = new EventOutboxRepository(db);
    this.sessions = new SessionRepository(db, box);
    this.parameters = new ParameterRepository(db, box);
    this.readTx = db.transaction((fn: () => unknown) => fn());
  }

  /**
   * Secrets in the store (secret keys, environment variables) are sealed with `box`: by default
   * the data directory's own key (`secret.key` beside the file), a throw-away one in memory.
   */
  static open(file: string, box?: SecretBox): Store {
    const secrets = box ?? (file === ":memory:" ? SecretBox.fromKey(randomBytes(32)) : SecretBox.forDataDir(dirname(file)));
    const db = openDatabase(file);
    try {
      const store = new Store(db, secrets);
      sealClearSecrets(db, new SealedJson(secrets), store.accessKeys);
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * Seals the members of services with an EncryptionConfiguration.KmsKey under that key (KMS is
   * built over this store, so it is attached after opening, before any such service is read).
   */
  useKeyring(keyring: MemberKeyring): void {
    this.json.useKeyring(keyring);
    this.resources.forgetCachedRows();
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

  /**
   * Runs fn's reads in one read transaction: one snapshot, and the file locks taken once
   * instead of once per statement. Half of a read's cost is those fcntl calls: DescribeService's
   * two reads cost ~1 µs less together (docs/performance.md).
   */
  read<T>(fn: () => T): T {
    return this.readTx(() => this.resources.snapshot(fn)) as T;
  }

  close(): void {
    this.db.close();
  }
}
