import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OperationType } from "../../store/operations.js";
import { firstPhaseOf, RECONCILERS } from "./index.js";

describe("firstPhaseOf: the engine names where each operation type begins", () => {
  const types = Object.keys(RECONCILERS) as OperationType[];
  for (const type of types) {
    it(`${type} begins at a phase its reconciler runs`, () => {
      const first = firstPhaseOf(type);
      assert.ok(Object.hasOwn(RECONCILERS[type].phases, first));
      // Operations recorded by earlier versions begin at "start": it stays the first phase.
      assert.equal(first, "start");
    });
  }
});
