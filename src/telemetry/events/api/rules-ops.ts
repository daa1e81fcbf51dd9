import { resolveBus, ruleArn } from "../bus.js";
import { compilePattern } from "../pattern/pattern.js";
import type { RuleRow, RuleState } from "../store/rules.js";
import { requireRule, type EventsHandler } from "./env.js";
import { Input, NAME, validation } from "./input.js";
import { DEFAULT_PAGE, decodeToken, page } from "./paging.js";

const STATES: readonly RuleState[] = ["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"];

export const ruleName = (input: Input, key = "Name"): string =>
  input.string(key, { required: true, min: 1, max: 64, pattern: NAME }) ?? "";
export const busName = (input: Input): string | undefined => input.string("EventBusName", { min: 1, max: 1600 });

function ruleShape(rule: RuleRow, where: Parameters<typeof ruleArn>[0]): Record<string, unknown> {
  return {
    Name: rule.name,
    Arn: ruleArn(where, rule.eventBus, rule.name),
    EventPattern: rule.eventPattern,
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
    EventBusName: rule.eventBus,
  };
}

/**
 * PutRule creates or replaces a rule (attributes left out are cleared, as on AWS). Rules here
 * match events only: a ScheduleExpression (cron/rate) is refused rather than silently never
 * firing. Tags are accepted and not kept.
 */
const putRule: EventsHandler = (raw, ctx, env) => {
  const input = new Input(raw);
  const name = ruleName(input);
  const pattern = input.string("EventPattern");
  const schedule = input.string("ScheduleExpression", { max: 256 });
  const state = input.string("State", { oneOf: STATES }) as RuleState | undefined;
  const description = input.string("Description", { max: 512 });
  const roleArn = input.string("RoleArn", { min: 1, max: 1600 });
  const busRaw = busName(input);
  input.list("Tags", { max: 50 });
  input.done();
  const bus = resolveBus(ctx.config, busRaw);
  if (schedule !== undefined) {
    throw validation("ScheduleExpression is not supported: OpenRunner rules match events; give an EventPattern instead.");
  }
  if (pattern === undefined) throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  compilePattern(pattern);
  env.db.rules.put({ eventBus: bus, name, eventPattern: pattern, state: state ?? "ENABLED", description, roleArn, createdAt: ctx.clock.now() });
  return { RuleArn: ruleArn(ctx.config, bus, name) };
};

const describeRule: EventsHandler = (raw, ctx, env) => {
  const input = new Input(raw);
  const name = ruleName(input);
  const busRaw = busName(input);
  input.done();
  const bus = resolveBus(ctx.config, busRaw);
  return { ...ruleShape(requireRule(env, bus, name), ctx.config), CreatedBy: ctx.config.accountId };
};

const listRules: EventsHandler = (raw, ctx, env) => {
  const input = new Input(raw);
  const prefix = input.string("NamePrefix", { min: 1, max: 64, pattern: NAME });
  const busRaw = busName(input);
  const token = input.string("NextToken", { min: 1, max: 2048 });
  const limit = input.integer("Limit", { min: 1, max: 100 }) ?? DEFAULT_PAGE;
  input.done();
  const bus = resolveBus(ctx.config, busRaw);
  const rows = env.db.rules.list(bus, { prefix, after: decodeToken(token), limit: limit + 1 });
  const { items, NextToken } = page(rows, limit, (r) => r.name);
  return { Rules: items.map((r) => ruleShape(r, ctx.config)), ...(NextToken ? { NextToken } : {}) };
};

function setState(state: RuleState): EventsHandler {
  return (raw, ctx, env) => {
    const input = new Input(raw);
    const name = ruleName(input);
    const busRaw = busName(input);
    input.done();
    const bus = resolveBus(ctx.config, busRaw);
    requireRule(env, bus, name);
    env.db.rules.setState(bus, name, state);
    return {};
  };
}

/** As on AWS: a rule with targets is not deleted (remove them first); a missing rule is no error. */
const deleteRule: EventsHandler = (raw, ctx, env) => {
  const input = new Input(raw);
  const name = ruleName(input);
  const busRaw = busName(input);
  input.boolean("Force");
  input.done();
  const bus = resolveBus(ctx.config, busRaw);
  if (!env.db.rules.get(bus, name)) return {};
  if (env.db.targets.ids(bus, name).size > 0) throw validation("Rule can't be deleted since it has targets.");
  env.db.rules.delete(bus, name);
  return {};
};

const listRuleNamesByTarget: EventsHandler = (raw, ctx, env) => {
  const input = new Input(raw);
  const targetArn = input.string("TargetArn", { required: true, min: 1, max: 1600 }) ?? "";
  const busRaw = busName(input);
  const token = input.string("NextToken", { min: 1, max: 2048 });
  const limit = input.integer("Limit", { min: 1, max: 100 }) ?? DEFAULT_PAGE;
  input.done();
  const bus = resolveBus(ctx.config, busRaw);
  const names = env.db.targets.ruleNamesByArn(bus, targetArn, { after: decodeToken(token), limit: limit + 1 });
  const { items, NextToken } = page(names, limit, (n) => n);
  return { RuleNames: items, ...(NextToken ? { NextToken } : {}) };
};

export const ruleOperations: Record<string, EventsHandler> = {
  PutRule: putRule,
  DescribeRule: describeRule,
  ListRules: listRules,
  EnableRule: setState("ENABLED"),
  DisableRule: setState("DISABLED"),
  DeleteRule: deleteRule,
  ListRuleNamesByTarget: listRuleNamesByTarget,
};
