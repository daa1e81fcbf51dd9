import type { AppRunnerClient } from "@aws-sdk/client-apprunner";
import { callAwsJson, type AwsJsonTarget } from "./aws-json";
import type { CustomDomainView } from "./custom-domains";

/** App Runner's own API, called without its SDK client so that members the model lacks reach the page. */
const APP_RUNNER: AwsJsonTarget = { signingName: "apprunner", targetPrefix: "AppRunner", jsonVersion: "1.0" };

export interface ServiceCustomDomains {
  DNSTarget: string | undefined;
  CustomDomains: CustomDomainView[];
}

/**
 * Every association of a service, following NextToken. The SDK's deserializer keeps only
 * modelled members, which would drop OpenRunner's StatusMessage, each record's
 * CheckResult/CheckedAt and Certificate; the raw JSON keeps them (and lacks them from older servers).
 */
export async function describeAllCustomDomains(apprunner: AppRunnerClient, serviceArn: string): Promise<ServiceCustomDomains> {
  const out: CustomDomainView[] = [];
  let dnsTarget: string | undefined;
  let token: string | undefined;
  do {
    const page = await callAwsJson(apprunner, APP_RUNNER, "DescribeCustomDomains", { ServiceArn: serviceArn, MaxResults: 5, NextToken: token });
    dnsTarget = typeof page.DNSTarget === "string" ? page.DNSTarget : dnsTarget;
    out.push(...((page.CustomDomains ?? []) as CustomDomainView[]));
    token = typeof page.NextToken === "string" ? page.NextToken : undefined;
  } while (token && out.length < 100);
  return { DNSTarget: dnsTarget, CustomDomains: out };
}
