import { versionNotFound } from "../errors.js";
import { describeFilters, type StringFilterInput } from "../filters.js";
import { planLabels, planUnlabel } from "../labels.js";
import { parseReference } from "../names.js";
import { pageOf } from "../paging.js";
import { metadataOf, type SsmHandler } from "./env.js";
import { subjectOf } from "./get-parameters.js";

const deleteParameter: SsmHandler = (raw, ctx, env) => {
  const input = raw as { Name?: string };
  const ref = parseReference(input.Name ?? "", env.parameters.place);
  const row = env.parameters.resolve({ name: ref.name, selector: { kind: "latest" } });
  ctx.store.tx(() => {
    ctx.store.parameters.delete(row.name);
    ctx.store.tags.removeAll(env.parameters.arn(row.name));
  });
  return {};
};

/** Names that are malformed or name nothing are InvalidParameters, as given. */
const deleteParameters: SsmHandler = (raw, ctx, env) => {
  const input = raw as { Names?: string[] };
  const deleted: string[] = [];
  const invalid: string[] = [];
  ctx.store.tx(() => {
    for (const given of new Set(input.Names ?? [])) {
      let name: string | undefined;
      try {
        const ref = parseReference(given, env.parameters.place);
        if (ref.selector.kind === "latest") name = ref.name;
      } catch {
        name = undefined;
      }
      if (name !== undefined && ctx.store.parameters.delete(name)) {
        ctx.store.tags.removeAll(env.parameters.arn(name));
        deleted.push(given);
      } else invalid.push(given);
    }
  });
  return { DeletedParameters: deleted, InvalidParameters: invalid };
};

const describeParameters: SsmHandler = (raw, ctx, env) => {
  const input = raw as { Filters?: { Key?: string; Values?: string[] }[]; ParameterFilters?: StringFilterInput[]; MaxResults?: number; NextToken?: string };
  const predicates = describeFilters(input);
  const labels = ctx.store.parameters.allLabels();
  const matching = ctx.store.parameters.allLatest().filter((row) => {
    const subject = subjectOf(row, labels.get(row.name), ctx, env.parameters.arn(row.name));
    return predicates.every((p) => p(subject));
  });
  const page = pageOf(matching, (r) => r.name, input.NextToken, input.MaxResults ?? 10);
  return {
    Parameters: page.items.map((row) => metadataOf(row, env.parameters.arn(row.name))),
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
};

const labelParameterVersion: SsmHandler = (raw, ctx, env) => {
  const input = raw as { Name?: string; ParameterVersion?: number; Labels?: string[] };
  const ref = parseReference(input.Name ?? "", env.parameters.place);
  const latest = env.parameters.resolve({ name: ref.name, selector: { kind: "latest" } });
  const version = input.ParameterVersion ?? latest.version;
  return ctx.store.tx(() => {
    if (!ctx.store.parameters.version(latest.name, version)) throw versionNotFound(latest.name, version);
    const plan = planLabels(ctx.store.parameters.labels(latest.name), version, input.Labels ?? []);
    ctx.store.parameters.attachLabels(latest.name, version, plan.attach);
    return { InvalidLabels: plan.invalid, ParameterVersion: version };
  });
};

const unlabelParameterVersion: SsmHandler = (raw, ctx, env) => {
  const input = raw as { Name?: string; ParameterVersion?: number; Labels?: string[] };
  const ref = parseReference(input.Name ?? "", env.parameters.place);
  const latest = env.parameters.resolve({ name: ref.name, selector: { kind: "latest" } });
  const version = input.ParameterVersion ?? latest.version;
  return ctx.store.tx(() => {
    if (!ctx.store.parameters.version(latest.name, version)) throw versionNotFound(latest.name, version);
    const plan = planUnlabel(ctx.store.parameters.labels(latest.name), version, input.Labels ?? []);
    ctx.store.parameters.removeLabels(latest.name, plan.remove);
    return { RemovedLabels: plan.remove, InvalidLabels: plan.invalid };
  });
};

export const manageOperations: Record<string, SsmHandler> = {
  DeleteParameter: deleteParameter,
  DeleteParameters: deleteParameters,
  DescribeParameters: describeParameters,
  LabelParameterVersion: labelParameterVersion,
  UnlabelParameterVersion: unlabelParameterVersion,
};
