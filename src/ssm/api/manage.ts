import { versionNotFound } from "../errors.js";
import { describeFilters, type StringFilterInput } from "../filters.js";
import { planLabels, planUnlabel } from "../labels.js";
import { parameterNameOf } from "../names.js";
import { pageOf } from "../paging.js";
import type { RequestContext } from "../../domain/api-context.js";
import { metadataOf, type SsmEnv, type SsmHandler } from "./env.js";
import { subjectOf } from "./get-parameters.js";

const deleteParameter: SsmHandler = (raw, ctx, env) => {
  const input = raw as { Name?: string };
  const row = env.parameters.resolve({ name: parameterNameOf(input.Name ?? "", env.parameters.place), selector: { kind: "latest" } });
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
        name = parameterNameOf(given, env.parameters.place);
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

interface LabelInput {
  Name?: string;
  ParameterVersion?: number;
  Labels?: string[];
}

/** The parameter and version a (un)label call names (the latest when no version is given), or SSM's not-found errors. */
function labelTarget(input: LabelInput, ctx: RequestContext, env: SsmEnv): { name: string; version: number } {
  const latest = env.parameters.resolve({ name: parameterNameOf(input.Name ?? "", env.parameters.place), selector: { kind: "latest" } });
  const version = input.ParameterVersion ?? latest.version;
  if (!ctx.store.parameters.version(latest.name, version)) throw versionNotFound(latest.name, version);
  return { name: latest.name, version };
}

// The store is synchronous: nothing else runs between a target's check and the write after it.
const labelParameterVersion: SsmHandler = (raw, ctx, env) => {
  const input = raw as LabelInput;
  const { name, version } = labelTarget(input, ctx, env);
  const plan = planLabels(ctx.store.parameters.labels(name), version, input.Labels ?? []);
  ctx.store.tx(() => ctx.store.parameters.attachLabels(name, version, plan.attach));
  return { InvalidLabels: plan.invalid, ParameterVersion: version };
};

const unlabelParameterVersion: SsmHandler = (raw, ctx, env) => {
  const input = raw as LabelInput;
  const { name, version } = labelTarget(input, ctx, env);
  const plan = planUnlabel(ctx.store.parameters.labels(name), version, input.Labels ?? []);
  ctx.store.tx(() => ctx.store.parameters.removeLabels(name, plan.remove));
  return { RemovedLabels: plan.remove, InvalidLabels: plan.invalid };
};

export const manageOperations: Record<string, SsmHandler> = {
  DeleteParameter: deleteParameter,
  DeleteParameters: deleteParameters,
  DescribeParameters: describeParameters,
  LabelParameterVersion: labelParameterVersion,
  UnlabelParameterVersion: unlabelParameterVersion,
};
