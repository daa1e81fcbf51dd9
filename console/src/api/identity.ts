import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { AwsApiError } from "./errors";
import { callAwsQuery, type AwsQueryTarget } from "./aws-query";
import { xmlText } from "./xml-text";

const STS: AwsQueryTarget = { signingName: "sts", version: "2011-06-15" };

/** Who the signed-in key belongs to, as STS GetCallerIdentity says. */
export interface CallerIdentity {
  arn: string;
  userId: string;
  account: string;
}

/** Needs no permission in AWS: any valid key, root's, a user's or a role session's, may ask. */
export async function getCallerIdentity(apprunner: AppRunnerClient): Promise<CallerIdentity> {
  const xml = await callAwsQuery(apprunner, STS, "GetCallerIdentity");
  const arn = xmlText(xml, "Arn");
  if (!arn) throw new AwsApiError("InvalidResponse", "GetCallerIdentity answered without an Arn.", 200);
  return { arn, userId: xmlText(xml, "UserId") ?? "", account: xmlText(xml, "Account") ?? "" };
}
