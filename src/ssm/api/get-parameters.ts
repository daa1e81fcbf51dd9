import type { RequestContext } from "../../domain/api-context.js";
import { AppRunnerError } from "../../errors/app-runner-error.js";
import type { ParameterVersionRow } from "../../store/parameters/parameter-store.js";
import { parseStringFilters, type FilterSubject, type StringFilterInput } from "../filters.js";
import { checkPath, isUnderPath, parameterNameOf, parseReference } from "../names.js";
import { pageOf } from "../paging.js";
import { callFactsOf, type SsmEnv, type SsmHandler } from "./env.js";

/** A version as the Get operations answer it (Parameter), its value in clear or as ciphertext. */
function parameterOf(row: ParameterVersionRow, withDecryption: boolean, ctx: RequestContext, env: SsmEnv, selector?: string): Record<string, unknown> {
  return {
    Name: row.name,
    Type: row.type,
    Value: env.parameters.shownValue(row, withDecryption, ctx.principal, callFactsOf(ctx)),
    Version: row.version,
    ...(selector !== undefined ? { Selector: selector } : {}),
    LastModifiedDate: row.modifiedAt / 1000,
    ARN: env.parameters.arn(row.name),
    DataType: row.dataType,
  };
}

const getParameter: SsmHandler = (raw, ctx, env) => {
  const input = raw as { Name?: string; WithDecryption?: boolean };
  const ref = parseReference(input.Name ?? "", env.parameters.place);
  const row = env.parameters.resolve(ref);
  return { Parameter: parameterOf(row, input.WithDecryption === true, ctx, env, ref.selectorText) };
};

/** Names that are malformed or name nothing are InvalidParameters, as given; the others are read. */
const getParameters: SsmHandler = (raw, ctx, env) => {
  const input = raw as { Names?: string[]; WithDecryption?: boolean };
  const parameters: Record<string, unknown>[] = [];
  const invalid: string[] = [];
  for (const given of new Set(input.Names ?? [])) {
    let found: { row: ParameterVersionRow; selector: string | undefined } | undefined;
    try {
      const ref = parseReference(given, env.parameters.place);
      found = { row: env.parameters.resolve(ref), selector: ref.selectorText };
    } catch (err) {
      if (!(err instanceof AppRunnerError) || !["ParameterNotFound", "ParameterVersionNotFound", "SsmValidation"].includes(err.code)) throw err;
    }
    if (found) parameters.push(parameterOf(found.row, input.WithDecryption === true, ctx, env, found.selector));
    else invalid.push(given);
  }
  return { Parameters: parameters, InvalidParameters: invalid };
};

/** What a filter reads of a parameter's latest version. */
export function subjectOf(row: ParameterVersionRow, labels: ReadonlyMap<string, number> | undefined, ctx: RequestContext, arn: string): FilterSubject {
  return {
    name: row.name,
    type: row.type,
    keyId: row.keyId,
    tier: row.tier,
    dataType: row.dataType,
    labels: new Set(labels?.keys() ?? []),
    tags: () => ctx.store.tags.record(arn) ?? {},
  };
}

const getParametersByPath: SsmHandler = (raw, ctx, env) => {
  const input = raw as { Path?: string; Recursive?: boolean; WithDecryption?: boolean; ParameterFilters?: StringFilterInput[]; MaxResults?: number; NextToken?: string };
  const path = checkPath(input.Path ?? "");
  const predicates = parseStringFilters(input.ParameterFilters, "byPath");
  const labels = ctx.store.parameters.allLabels();
  const matching = ctx.store.parameters
    .allLatest()
    .filter((row) => isUnderPath(row.name, path, input.Recursive === true))
    .filter((row) => {
      const subject = subjectOf(row, labels.get(row.name), ctx, env.parameters.arn(row.name));
      return predicates.every((p) => p(subject));
    });
  const page = pageOf(matching, (r) => r.name, input.NextToken, input.MaxResults ?? 10);
  return {
    Parameters: page.items.map((row) => parameterOf(row, input.WithDecryption === true, ctx, env)),
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
};

const getParameterHistory: SsmHandler = (raw, ctx, env) => {
  const input = raw as { Name?: string; WithDecryption?: boolean; MaxResults?: number; NextToken?: string };
  const latest = env.parameters.resolve({ name: parameterNameOf(input.Name ?? "", env.parameters.place), selector: { kind: "latest" } });
  const repo = ctx.store.parameters;
  const labels = [...repo.labels(latest.name)];
  const page = pageOf(repo.versions(latest.name), (r) => r.version, input.NextToken, input.MaxResults ?? 50);
  const facts = callFactsOf(ctx);
  return {
    Parameters: page.items.map((row) => ({
      Name: row.name,
      Type: row.type,
      ...(row.keyId !== undefined ? { KeyId: row.keyId } : {}),
      LastModifiedDate: row.modifiedAt / 1000,
      LastModifiedUser: row.modifiedUser,
      ...(row.description !== undefined ? { Description: row.description } : {}),
      Value: env.parameters.shownValue(row, input.WithDecryption === true, ctx.principal, facts),
      ...(row.allowedPattern !== undefined ? { AllowedPattern: row.allowedPattern } : {}),
      Version: row.version,
      Labels: labels.filter(([, v]) => v === row.version).map(([l]) => l).sort(),
      Tier: row.tier,
      Policies: [],
      DataType: row.dataType,
    })),
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
};

export const getOperations: Record<string, SsmHandler> = {
  GetParameter: getParameter,
  GetParameters: getParameters,
  GetParametersByPath: getParametersByPath,
  GetParameterHistory: getParameterHistory,
};
