import type { Service } from "@aws-sdk/client-apprunner";
import type { ReactNode } from "react";
import { describeReference } from "../../api/secret-references";

type Rows = [string, ReactNode][];

/** The source's own rows: the image and its settings, or the repository and its build settings. */
function sourceRows(s: Service): Rows {
  const image = s.SourceConfiguration?.ImageRepository;
  const code = s.SourceConfiguration?.CodeRepository;
  if (!code) {
    return [
      ["Image URI", image?.ImageIdentifier ?? "—"],
      ["Port", image?.ImageConfiguration?.Port ?? "8080"],
      ["Start command", image?.ImageConfiguration?.StartCommand ?? "(image default)"],
    ];
  }
  const values = code.CodeConfiguration?.CodeConfigurationValues;
  const rows: Rows = [
    ["Repository", code.RepositoryUrl ?? "—"],
    ["Branch", code.SourceCodeVersion?.Value ?? "—"],
    ["Source directory", code.SourceDirectory ?? "/"],
  ];
  if (code.CodeConfiguration?.ConfigurationSource !== "API" || !values) return [...rows, ["Build configuration", "Configuration file (apprunner.yaml)"]];
  return [
    ...rows,
    ["Runtime", values.Runtime ?? "—"],
    ["Build command", values.BuildCommand ?? "None"],
    ["Start command", values.StartCommand ?? "—"],
    ["Port", values.Port ?? "8080"],
  ];
}

/** Read-only configuration facts, grouped as App Runner's console shows them. */
export function ConfigurationView({ service: s }: { service: Service }): ReactNode {
  const source = s.SourceConfiguration;
  const vars = source?.ImageRepository?.ImageConfiguration?.RuntimeEnvironmentVariables ?? source?.CodeRepository?.CodeConfiguration?.CodeConfigurationValues?.RuntimeEnvironmentVariables;
  const env = Object.entries(vars ?? {});
  const refs = source?.ImageRepository?.ImageConfiguration?.RuntimeEnvironmentSecrets ?? source?.CodeRepository?.CodeConfiguration?.CodeConfigurationValues?.RuntimeEnvironmentSecrets;
  const secrets = Object.entries(refs ?? {});
  const hc = s.HealthCheckConfiguration;
  const rows: Rows = [
    ...sourceRows(s),
    ["Deployment trigger", source?.AutoDeploymentsEnabled ? "Automatic" : "Manual"],
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
    [
      "Environment secrets",
      secrets.length === 0 ? (
        "None"
      ) : (
        <ul className="plain wrap" data-testid="env-secrets-view">
          {secrets.map(([k, ref]) => (
            <li key={k} title={describeReference(ref)}>
              <code>{k}</code> from <code>{ref}</code> <span className="hint">({describeReference(ref)})</span>
            </li>
          ))}
        </ul>
      ),
    ],
    ["Auto scaling", s.AutoScalingConfigurationSummary ? `${s.AutoScalingConfigurationSummary.AutoScalingConfigurationName ?? ""} (revision ${s.AutoScalingConfigurationSummary.AutoScalingConfigurationRevision ?? ""})` : "—"],
    ["Health check", hc ? `${hc.Protocol ?? "TCP"}${hc.Protocol === "HTTP" ? ` ${hc.Path ?? "/"}` : ""}, every ${hc.Interval ?? 5} s, timeout ${hc.Timeout ?? 2} s, thresholds ${hc.HealthyThreshold ?? 1}/${hc.UnhealthyThreshold ?? 5}` : "—"],
    ["Instance role", s.InstanceConfiguration?.InstanceRoleArn ?? "None"],
    ["Encryption key", s.EncryptionConfiguration?.KmsKey ?? "AWS managed key"],
  ];
  return (
    <dl className="facts facts-grid">
      {rows.map(([k, v]) => (
        <div key={k} data-config={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
