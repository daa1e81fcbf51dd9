import type { Service } from "@aws-sdk/client-apprunner";
import type { ReactNode } from "react";

/** Read-only configuration facts, grouped as App Runner's console shows them. */
export function ConfigurationView({ service: s }: { service: Service }): ReactNode {
  const image = s.SourceConfiguration?.ImageRepository;
  const env = Object.entries(image?.ImageConfiguration?.RuntimeEnvironmentVariables ?? {});
  const hc = s.HealthCheckConfiguration;
  const rows: [string, ReactNode][] = [
    ["Image URI", image?.ImageIdentifier ?? "—"],
    ["Deployment trigger", s.SourceConfiguration?.AutoDeploymentsEnabled ? "Automatic" : "Manual"],
    ["Port", image?.ImageConfiguration?.Port ?? "8080"],
    ["Start command", image?.ImageConfiguration?.StartCommand ?? "(image default)"],
    ["Virtual CPU", `${Number(s.InstanceConfiguration?.Cpu ?? 0) / 1024} vCPU`],
    ["Memory", `${Number(s.InstanceConfiguration?.Memory ?? 0) / 1024} GB`],
    [
      "Environment variables",
      env.length === 0 ? (
        "None"
      ) : (
        <ul className="plain" data-testid="env-vars">
          {env.map(([k, v]) => (
            <li key={k}>
              <code>
                {k}={v}
              </code>
            </li>
          ))}
        </ul>
      ),
    ],
    ["Auto scaling", s.AutoScalingConfigurationSummary ? `${s.AutoScalingConfigurationSummary.AutoScalingConfigurationName ?? ""} (revision ${s.AutoScalingConfigurationSummary.AutoScalingConfigurationRevision ?? ""})` : "—"],
    ["Health check", hc ? `${hc.Protocol ?? "TCP"}${hc.Protocol === "HTTP" ? ` ${hc.Path ?? "/"}` : ""}, every ${hc.Interval ?? 5} s, timeout ${hc.Timeout ?? 2} s, thresholds ${hc.HealthyThreshold ?? 1}/${hc.UnhealthyThreshold ?? 5}` : "—"],
    ["Instance role", s.InstanceConfiguration?.InstanceRoleArn ?? "None"],
  ];
  return (
    <dl className="facts facts-grid">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
