import { AppRunnerError } from "../../../errors/app-runner-error.js";
import { resolveBus } from "../bus.js";
import type { StoredTarget } from "../store/targets.js";
import { targetProblem } from "../targets/validate.js";
import { requireRule, type EventsHandler } from "./env.js";
import { Input } from "./input.js";
import { DEFAULT_PAGE, decodeToken, page } from "./paging.js";
import { busName, ruleName } from "./rules-ops.js";

/** EventBridge allows five targets per rule. */
const MAX_TARGETS = 5;

/** The Target members that mean something for an HTTP target; the others (ECS, SQS...) are dropped. */
const KEPT = ["RoleArn", "Input", "InputPath", "InputTransformer", "HttpParameters", "RetryPolicy", "DeadLetterConfig"] as const;

function readTarget(t: Input, raw: Record<string, unknown>): StoredTarget {
  const Id = t.string("Id", { required: true, min: 1 }) ?? "";
  const Arn = t.string("Arn", { required: true, min: 1 }) ?? "";
  t.string("RoleArn");
  t.string("Input");
  t.string("InputPath", { max: 256 });
  const target: StoredTarget = { Id, Arn };
  for (const key of KEPT) {
    if (raw[key] !== undefined && raw[key] !== null) Object.assign(target, { [key]: raw[key] });
  }
  return target;
}

/**
 * PutTargets adds or replaces targets. A target we cannot deliver to (see targets/validate.ts
 * and targets/endpoint.ts: HTTP(S) URLs only) is reported in FailedEntries and the others are
 * kept, as AWS does; going over five targets refuses the whole request (LimitExceededException).
 */
const putTargets: EventsHandler = (raw, ctx, env) => {
  const input = new Input(raw);
  const rule = ruleName(input, "Rule");
  const busRaw = busName(input);
  const list = input.list("Targets", { required: true, min: 1, max: 10 }) ?? [];
  const targets = input.objects("Targets", list).map((t, i) => readTarget(t, list[i] as Record<string, unknown>));
  input.done();
  const bus = resolveBus(ctx.config, busRaw);
  requireRule(env, bus, rule);
  const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
  const accepted = targets.filter((t, i) => {
    const problem = targetProblem(t, i);
    if (problem) failed.push({ TargetId: t.Id, ErrorCode: "ValidationException", ErrorMessage: problem });
    return problem === undefined;
  });
  return env.db.store.tx(() => {
    const ids = env.db.targets.ids(bus, rule);
    for (const t of accepted) ids.add(t.Id);
    if (ids.size > MAX_TARGETS) {
      throw new AppRunnerError("EventsLimitExceeded", "The requested resource exceeds the maximum number allowed.");
    }
    for (const t of accepted) env.db.targets.put(bus, rule, t);
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  });
};

const listTargetsByRule: EventsHandler = (raw, ctx, env) => {
  const input = new Input(raw);
  const rule = ruleName(input, "Rule");
  const busRaw = busName(input);
  const token = input.string("NextToken", { min: 1, max: 2048 });
  const limit = input.integer("Limit", { min: 1, max: 100 }) ?? DEFAULT_PAGE;
  input.done();
  const bus = resolveBus(ctx.config, busRaw);
  requireRule(env, bus, rule);
  const rows = env.db.targets.list(bus, rule, { after: decodeToken(token), limit: limit + 1 });
  const { items, NextToken } = page(rows, limit, (t) => t.Id);
  return { Targets: items, ...(NextToken ? { NextToken } : {}) };
};

/** Ids the rule does not have come back in FailedEntries (ResourceNotFoundException), the rest go. */
const removeTargets: EventsHandler = (raw, ctx, env) => {
  const input = new Input(raw);
  const rule = ruleName(input, "Rule");
  const busRaw = busName(input);
  const list = input.list("Ids", { required: true, min: 1, max: 100 }) ?? [];
  const ids = input.strings("Ids", list);
  input.boolean("Force");
  input.done();
  const bus = resolveBus(ctx.config, busRaw);
  requireRule(env, bus, rule);
  return env.db.store.tx(() => {
    const failed = ids
      .filter((id) => !env.db.targets.delete(bus, rule, id))
      .map((id) => ({
        TargetId: id,
        ErrorCode: "ResourceNotFoundException",
        ErrorMessage: `Rule '${rule}' does not have a target with the Id '${id}'.`,
      }));
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  });
};

export const targetOperations: Record<string, EventsHandler> = {
  PutTargets: putTargets,
  ListTargetsByRule: listTargetsByRule,
  RemoveTargets: removeTargets,
};
