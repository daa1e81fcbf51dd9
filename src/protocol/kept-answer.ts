/**
 * Answers a handler gives again and again while what they show is unchanged (DescribeService of
 * a service nobody touched): kept frozen, with their JSON made on the first answer.
 * `JSON.stringify` was ~4% of a DescribeService's CPU and a tenth of the bytes it allocated, and
 * young-generation garbage collection pauses make its p99 (docs/performance.md, "December (3)").
 * Kept as text, not bytes: Node writes a text body in one piece with the response head.
 */
import { deepFreeze } from "../util/deep-freeze.js";

export interface AnswerJson {
  text: string;
  /** Its length in UTF-8 bytes (Content-Length). */
  bytes: number;
}

const jsonOf = new WeakMap<object, AnswerJson>();

const json = (answer: unknown): AnswerJson => {
  const text = JSON.stringify(answer ?? {});
  return { text, bytes: Buffer.byteLength(text) };
};

/** Freezes `answer` for good (deeply) and marks it so its JSON is made once and reused. */
export function keptAnswer<T extends object>(answer: T): T {
  deepFreeze(answer);
  jsonOf.set(answer, json(answer));
  return answer;
}

/** The JSON of an answer: kept for a keptAnswer, made now for any other. */
export function answerJson(answer: unknown): AnswerJson {
  return (typeof answer === "object" && answer !== null ? jsonOf.get(answer) : undefined) ?? json(answer);
}
