/** A resource a LookupEvents result names, as CloudTrail's Resource shape has it. */
export interface TrailResource {
  ResourceType: string;
  ResourceName: string;
}

/** ARN service and resource-type prefix → CloudFormation-style type, as CloudTrail reports it. */
const TYPES: Record<string, Record<string, string>> = {
  apprunner: {
    service: "AWS::AppRunner::Service",
    connection: "AWS::AppRunner::Connection",
    autoscalingconfiguration: "AWS::AppRunner::AutoScalingConfiguration",
    observabilityconfiguration: "AWS::AppRunner::ObservabilityConfiguration",
    vpcconnector: "AWS::AppRunner::VpcConnector",
    vpcingressconnection: "AWS::AppRunner::VpcIngressConnection",
  },
  logs: { "log-group": "AWS::Logs::LogGroup" },
  events: { rule: "AWS::Events::Rule", "event-bus": "AWS::Events::EventBus" },
  cloudwatch: { alarm: "AWS::CloudWatch::Alarm" },
};

const ARN = /^arn:aws[\w-]*:([a-z0-9-]+):[a-z0-9-]*:\d{12}:([A-Za-z0-9-]+)[/:]/;
/** Enough for any call; a listing's hundreds of ARNs are not what it acted on. */
const MAX_RESOURCES = 20;

function typeOf(arn: string): string | undefined {
  const m = ARN.exec(arn);
  return m ? TYPES[m[1] ?? ""]?.[m[2] ?? ""] : undefined;
}

/**
 * The resources a call acted on: every ARN of a known type in its request, and the ARNs of
 * what its response describes (Service.ServiceArn: a created service's ARN exists only
 * there), but not ARNs nested deeper in it: CreateService's response names the default auto
 * scaling configuration, which the call did not touch. Callers pass the redacted forms, so
 * secrets are never scanned; read-only calls have no responseElements, so a ListServices
 * answer adds nothing.
 */
export function resourcesOf(request: unknown, response: unknown): TrailResource[] {
  const found = new Map<string, TrailResource>();
  const walk = (v: unknown, depth: number): void => {
    if (found.size >= MAX_RESOURCES || depth < 0) return;
    if (typeof v === "string") {
      const type = v.startsWith("arn:") ? typeOf(v) : undefined;
      if (type) found.set(`${type} ${v}`, { ResourceType: type, ResourceName: v });
    } else if (Array.isArray(v)) {
      for (const item of v) walk(item, depth);
    } else if (typeof v === "object" && v !== null) {
      for (const child of Object.values(v)) walk(child, depth - 1);
    }
  };
  walk(request, Number.POSITIVE_INFINITY);
  walk(response, 2);
  return [...found.values()];
}
