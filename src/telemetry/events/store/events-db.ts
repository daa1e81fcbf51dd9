import type { Store } from "../../../store/store.js";
import { DeadLetterRepository } from "./dead-letters.js";
import { DeliveryRepository } from "./deliveries.js";
import { RuleRepository } from "./rules.js";
import { TargetRepository } from "./targets.js";

const CURSOR_KEY = "events_outbox_cursor";

/**
 * EventBridge's tables live in the control-plane store (migration in src/store/migrations.ts),
 * so routing an outbox batch (new deliveries plus the advanced cursor) is one transaction with
 * the outbox it reads.
 */
export class EventsDb {
  readonly rules: RuleRepository;
  readonly targets: TargetRepository;
  readonly deliveries: DeliveryRepository;
  readonly deadLetters: DeadLetterRepository;

  constructor(readonly store: Store) {
    this.rules = new RuleRepository(store.db);
    this.targets = new TargetRepository(store.db);
    this.deliveries = new DeliveryRepository(store.db);
    this.deadLetters = new DeadLetterRepository(store.db);
  }

  /** The id of the last outbox event routed; kept in meta so a restart resumes after it. */
  get cursor(): number {
    return Number(this.store.meta.get(CURSOR_KEY) ?? "0");
  }

  set cursor(id: number) {
    this.store.meta.set(CURSOR_KEY, String(id));
  }
}

/** The dead letters of a running control plane, for tests and operators (not an AWS operation). */
export function listDeadLetters(store: Store): ReturnType<DeadLetterRepository["list"]> {
  return new DeadLetterRepository(store.db).list();
}
