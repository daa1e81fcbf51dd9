import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isRetentionDays, planSweep, RETENTION_DAYS, type PendingPurge, type RetentionGroup, type SweepStep } from "./retention.js";

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

describe("planSweep", () => {
  const cases: { name: string; groups: RetentionGroup[]; purges: PendingPurge[]; want: SweepStep[] }[] = [
    { name: "nothing to do", groups: [{ id: 1, retentionDays: null }], purges: [], want: [] },
    { name: "one day of retention", groups: [{ id: 1, retentionDays: 1 }], purges: [], want: [{ kind: "expire", groupId: 1, before: NOW - DAY }] },
    {
      name: "each group by its own policy, groups without one untouched",
      groups: [
        { id: 1, retentionDays: 30 },
        { id: 2, retentionDays: null },
        { id: 3, retentionDays: 3653 },
      ],
      purges: [],
      want: [
        { kind: "expire", groupId: 1, before: NOW - 30 * DAY },
        { kind: "expire", groupId: 3, before: NOW - 3653 * DAY },
      ],
    },
    {
      name: "deleted groups and streams first",
      groups: [{ id: 4, retentionDays: 7 }],
      purges: [
        { id: 10, groupId: 2, streamId: null },
        { id: 11, groupId: 4, streamId: 9 },
      ],
      want: [
        { kind: "purge", purgeId: 10, groupId: 2, streamId: null },
        { kind: "purge", purgeId: 11, groupId: 4, streamId: 9 },
        { kind: "expire", groupId: 4, before: NOW - 7 * DAY },
      ],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(planSweep(c.groups, c.purges, NOW), c.want));
});

describe("isRetentionDays", () => {
  for (const d of RETENTION_DAYS) it(`${d} is allowed`, () => assert.equal(isRetentionDays(d), true));
  for (const d of [0, 2, 4, 31, 366, 3654, -1, 1.5, "1", null]) it(`${String(d)} is not`, () => assert.equal(isRetentionDays(d), false));
});
