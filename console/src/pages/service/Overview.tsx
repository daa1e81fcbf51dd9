import type { Service } from "@aws-sdk/client-apprunner";
import type { ReactNode } from "react";
import { useClients } from "../../api/clients";
import { serviceLink } from "../../api/session";
import { Facts } from "../../components/Facts";
import { StatusBadge } from "../../components/StatusBadge";
import { formatTime } from "../../hooks";

/** Source type, then the image, or the repository, branch and source directory (the deployed commit is not in the API). */
function sourceFacts(s: Service): [string, ReactNode][] {
  const image = s.SourceConfiguration?.ImageRepository;
  const code = s.SourceConfiguration?.CodeRepository;
  if (code) {
    return [
      ["Source", "Source code repository"],
      ["Repository", <code key="repo" className="wrap">{code.RepositoryUrl ?? "—"}</code>],
      ["Branch", <code key="branch">{code.SourceCodeVersion?.Value ?? "—"}</code>],
      ...(code.SourceDirectory && code.SourceDirectory !== "/" ? ([["Source directory", <code key="dir">{code.SourceDirectory}</code>]] as [string, ReactNode][]) : []),
    ];
  }
  return [
    ["Source", image?.ImageRepositoryType === "ECR" ? "Container registry (private)" : "Container registry"],
    ["Image URI", <code key="img" className="wrap">{image?.ImageIdentifier ?? "—"}</code>],
  ];
}

/** The service overview: status, ARN, default domain, source, times. */
export function Overview({ service: s }: { service: Service }): ReactNode {
  const { config } = useClients();
  const facts: [string, ReactNode][] = [
    ["Status", <StatusBadge key="s" status={s.Status} />],
    ["Default domain", s.ServiceUrl ? <a href={serviceLink(config, s.ServiceUrl)} target="_blank" rel="noreferrer">{s.ServiceUrl}</a> : "—"],
    ["Service ARN", <code key="a" className="wrap">{s.ServiceArn}</code>],
    ...sourceFacts(s),
    ["Deployment trigger", s.SourceConfiguration?.AutoDeploymentsEnabled ? "Automatic" : "Manual"],
    ["Created", formatTime(s.CreatedAt)],
    ["Last updated", formatTime(s.UpdatedAt)],
  ];
  return (
    <section className="card overview" aria-label="Service overview">
      <Facts facts={facts} />
    </section>
  );
}
