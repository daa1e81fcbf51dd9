import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { KeyedLock } from "./keyed-lock.js";

describe("KeyedLock", () => {
  it("runs tasks of one key in order, even after a failure, and other keys alongside", async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const step = (name: string, ms: number, fail = false) => async (): Promise<void> => {
      order.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`${name}-`);
      if (fail) throw new Error(name);
    };
    const a1 = lock.run("a", step("a1", 30, true));
    const a2 = lock.run("a", step("a2", 1));
    const b1 = lock.run("b", step("b1", 1));
    await assert.rejects(a1, /a1/);
    await Promise.all([a2, b1]);
    assert.ok(order.indexOf("a1-") < order.indexOf("a2+"), order.join(" "));
    assert.ok(order.indexOf("b1-") < order.indexOf("a1-"), order.join(" "));
  });
});
