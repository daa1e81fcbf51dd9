import type { Service } from "@aws-sdk/client-apprunner";
import type { ReactNode } from "react";
import { useClients } from "../../api/clients";
import { serviceLink } from "../../api/session";
import { StatusBadge } from "../../components/StatusBadge";
import { formatTime } from "../../hooks";

function sourceOf(s: Service): string {
  const image = s.SourceConfiguration?.ImageRepository;
  if (image) return image.ImageIdentifier ?? "—";
  const code = s.SourceConfiguration?.CodeRepository;
  if (code) return `${code.RepositoryUrl ?? ""} (${code.SourceCodeVersion?.Value ?? ""})`;
  return "—";
}

/** The service overview: status, ARN, default domain, source, times. */
export function Overview({ service: s }: { service: Service }): ReactNode {
  const { config } = useClients();
  const facts: [string, ReactNode][] = [
    ["Status", <StatusBadge key="s" status={s.Status} />],
    ["Default domain", s.ServiceUrl ? <a href={serviceLink(config, s.ServiceUrl)} target="_blank" rel="noreferrer">{s.ServiceUrl}</a> : "—"],
    ["Service ARN", <code key="a" className="wrap">{s.ServiceArn}</code>],
    ["Source", <code key="src" className="wrap">{sourceOf(s)}</code>],
    ["Deployment trigger", s.SourceConfiguration?.AutoDeploymentsEnabled ? "Automatic" : "Manual"],
    ["Created", formatTime(s.CreatedAt)],
    ["Last updated", formatTime(s.UpdatedAt)],
  ];
  return (
    <section className="card overview" aria-label="Service overview">
      <dl className="facts facts-grid">
        {facts.map(([k, v]) => (
          <div key={k} data-fact={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
