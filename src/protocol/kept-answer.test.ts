import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answerBytes, keptAnswer } from "./kept-answer.js";

describe("kept answers", () => {
  it("answers a kept answer with the bytes made when it was kept, the same JSON.stringify makes", () => {
    const answer = keptAnswer({ Service: { ServiceName: "a", Tags: [{ Key: "k", Value: "ü" }], CreatedAt: 1.5 } });
    const first = answerBytes(answer);
    assert.ok(Buffer.isBuffer(first));
    assert.equal(first.toString("utf8"), JSON.stringify(answer));
    assert.equal(answerBytes(answer), first);
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
    assert.equal(answerBytes(plain), JSON.stringify(plain));
    plain.Service.Status = "PAUSED";
    assert.equal(answerBytes(plain), JSON.stringify(plain));
    const frozen = Object.freeze({ Service: { Status: "RUNNING" } });
    assert.equal(answerBytes(frozen), JSON.stringify(frozen));
    assert.equal(answerBytes(undefined), "{}");
  });
});
