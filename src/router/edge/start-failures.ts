/**
 * TrafficRouter.startFailed for edge routers (scale to zero, issue 20): when the instance a
 * service at zero was starting fails, the control plane's router answers its held requests 503
 * at once, and every edge router must too, or theirs wait out the queue timeout. The notice
 * travels in the route table edge routers poll (`startFailed` beside `routes`), each with an id
 * so an edge router acts on it once, and stays in the table for its window (then it is dropped).
 */
import type { Clock } from "../../util/clock.js";

/** One failed start as edge routers see it: held requests of the service get 503, and new ones for `forMs`. */
export interface StartFailureNotice {
  serviceId: string;
  /** Unique per notice (the control plane's boot and a counter): an edge router acts on each once. */
  id: string;
  forMs: number;
}

/** The control plane's side: the notices still within their window, for the route table. */
export class StartFailureNotices {
  private readonly live: Array<StartFailureNotice & { at: number }> = [];
  private next = 0;

  constructor(
    private readonly clock: Clock,
    private readonly boot: string,
  ) {}

  add(serviceId: string, forMs: number): void {
    this.live.push({ serviceId, id: `${this.boot}.${++this.next}`, forMs, at: this.clock.now() });
  }

  /** Notices whose window has not ended, oldest first (a stable list, so the table's version moves only when it changes). */
  current(): StartFailureNotice[] {
    const now = this.clock.now();
    for (let i = this.live.length - 1; i >= 0; i--) {
      const n = this.live[i];
      if (n && now - n.at >= n.forMs) this.live.splice(i, 1);
    }
    return this.live.map(({ serviceId, id, forMs }) => ({ serviceId, id, forMs }));
  }
}

/** Pure: the notices in a route table's JSON body; malformed entries are left out (they only shorten a wait). */
export function startFailuresOf(body: unknown): StartFailureNotice[] {
  const raw = (body as { startFailed?: unknown } | null)?.startFailed;
  if (!Array.isArray(raw)) return [];
  return raw.filter((n): n is StartFailureNotice => {
    const x = n as Partial<StartFailureNotice> | null;
    return typeof x?.serviceId === "string" && typeof x.id === "string" && typeof x.forMs === "number" && Number.isFinite(x.forMs) && x.forMs > 0;
  });
}

/** Pure: the notices an edge router has not acted on yet, and the ids to remember (those still listed). */
export function newNotices(notices: readonly StartFailureNotice[], seen: ReadonlySet<string>): { fresh: StartFailureNotice[]; seen: Set<string> } {
  return { fresh: notices.filter((n) => !seen.has(n.id)), seen: new Set(notices.map((n) => n.id)) };
}
