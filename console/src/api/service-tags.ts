import { ListTagsForResourceCommand, type AppRunnerClient } from "@aws-sdk/client-apprunner";

/** A resource's tags by key (ListTagsForResource): what the overview reads OpenRunner's opt-ins from. */
export async function tagValuesOf(apprunner: AppRunnerClient, resourceArn: string): Promise<Record<string, string>> {
  const out = await apprunner.send(new ListTagsForResourceCommand({ ResourceArn: resourceArn }));
  return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}
