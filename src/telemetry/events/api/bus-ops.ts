import { busArn, DEFAULT_BUS, resolveBus } from "../bus.js";
import type { EventsHandler } from "./env.js";
import { Input } from "./input.js";

/** The default bus, so tools that look it up first (consoles, IaC) find it. */
const describeEventBus: EventsHandler = (raw, ctx) => {
  const input = new Input(raw);
  const name = input.string("Name", { min: 1, max: 1600 });
  input.done();
  resolveBus(ctx.config, name);
  return { Name: DEFAULT_BUS, Arn: busArn(ctx.config) };
};

const listEventBuses: EventsHandler = (raw, ctx) => {
  const input = new Input(raw);
  const prefix = input.string("NamePrefix", { min: 1, max: 256 }) ?? "";
  input.string("NextToken", { min: 1, max: 2048 });
  input.integer("Limit", { min: 1, max: 100 });
  input.done();
  return { EventBuses: DEFAULT_BUS.startsWith(prefix) ? [{ Name: DEFAULT_BUS, Arn: busArn(ctx.config) }] : [] };
};

export const busOperations: Record<string, EventsHandler> = {
  DescribeEventBus: describeEventBus,
  ListEventBuses: listEventBuses,
};
