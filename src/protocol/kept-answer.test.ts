import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answerJson, keptAnswer } from "./kept-answer.js";

describe("kept answers", () => {
  it("answers a kept answer with the JSON made when it was kept, the same JSON.stringify makes, and its UTF-8 length", () => {
    const answer = keptAnswer({ Service: { ServiceName: "a", Tags: [{ Key: "k", Value: "ü" }], CreatedAt: 1.5 } });
    const first = answerJson(answer);
    assert.equal(first.text, JSON.stringify(answer));
    assert.equal(first.bytes, Buffer.byteLength(first.text));
    assert.equal(first.bytes, first.text.length + 1);
    assert.equal(answerJson(answer), first);
  });

  it("freezes a kept answer all the way down, so its bytes cannot go stale", () => {
    const inner = { Status: "RUNNING" };
    const answer = keptAnswer({ Service: { Nested: inner, List: [inner] } });
    assert.ok(Object.isFrozen(answer) && Object.isFrozen(answer.Service) && Object.isFrozen(answer.Service.List) && Object.isFrozen(inner));
    assert.throws(() => {
      (inner as { Status: string }).Status = "PAUSED";
    }, TypeError);
  });

  it("serializes any other answer on every call, frozen or not, and an absent one as {}", () => {
    const plain = { Service: { Status: "RUNNING" } };
    assert.equal(answerJson(plain).text, JSON.stringify(plain));
    plain.Service.Status = "PAUSED";
    assert.equal(answerJson(plain).text, JSON.stringify(plain));
    const frozen = Object.freeze({ Service: { Status: "RUNNING" } });
    assert.notEqual(answerJson(frozen), answerJson(frozen));
    assert.deepEqual(answerJson(undefined), { text: "{}", bytes: 2 });
  });
});
