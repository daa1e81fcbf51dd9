/**
 * Answers a handler gives again and again while what they show is unchanged (DescribeService of
 * a service nobody touched): kept frozen, with their JSON bytes made on the first answer.
 * `JSON.stringify` and the UTF-8 copy of its text were ~6% of a DescribeService's CPU and a
 * tenth of the bytes it allocated, and young-generation garbage collection pauses made its p99
 * (docs/performance.md, "December (3)").
 */
const bytesOf = new WeakMap<object, Buffer>();

function deepFreeze(value: unknown): void {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
}

/** Freezes `answer` for good (deeply) and marks it so its JSON is made once and reused. */
export function keptAnswer<T extends object>(answer: T): T {
  deepFreeze(answer);
  bytesOf.set(answer, Buffer.from(JSON.stringify(answer)));
  return answer;
}

/** The JSON bytes of an answer: kept for a keptAnswer, made now for any other. */
export function answerBytes(answer: unknown): Buffer | string {
  if (typeof answer === "object" && answer !== null) {
    const kept = bytesOf.get(answer);
    if (kept) return kept;
  }
  return JSON.stringify(answer ?? {});
}
