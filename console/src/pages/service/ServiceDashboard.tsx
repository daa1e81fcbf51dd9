import { DescribeServiceCommand, type Service } from "@aws-sdk/client-apprunner";
import type { ReactNode } from "react";
import { useClients } from "../../api/clients";
import { BUSY_STATUSES, findService } from "../../api/services";
import { ErrorBanner } from "../../components/Field";
import { usePolled } from "../../hooks";
import { Link } from "../../router";
import { ActivityTab } from "./ActivityTab";
import { ConfigurationTab } from "./ConfigurationTab";
import { DomainsTab } from "./DomainsTab";
import { ImageRepositoryTab } from "./ImageRepositoryTab";
import { InstancesTab } from "./InstancesTab";
import { LogsTab } from "./LogsTab";
import { MetricsTab } from "./MetricsTab";
import { Overview } from "./Overview";
import { ServiceActions } from "./ServiceActions";

const TABS = [
  ["logs", "Logs"],
  ["activity", "Activity"],
  ["metrics", "Metrics"],
  ["instances", "Instances"],
  ["configuration", "Configuration"],
  ["domains", "Custom domains"],
  ["image", "Image repository"],
] as const;

export interface TabProps {
  service: Service;
  reload: () => void;
}

/**
 * One service: overview, actions and tabs. DescribeService is polled every 2.5 s (cheap on
 * the local endpoint), so status changes show up without reloading the page.
 */
export function ServiceDashboard({ name, id, tab }: { name: string; id: string; tab: string }): ReactNode {
  const { apprunner } = useClients();
  const summary = usePolled(() => findService(apprunner, id), `find-${id}`);
  const arn = summary.data?.ServiceArn;
  const described = usePolled(
    async () => (arn ? (await apprunner.send(new DescribeServiceCommand({ ServiceArn: arn }))).Service : undefined),
    `describe-${arn ?? "none"}`,
    arn ? 2500 : undefined,
  );
  const service = described.data;
  const busy = BUSY_STATUSES.has(service?.Status ?? "");
  const base = `/services/${encodeURIComponent(name)}/${id}`;
  if (summary.data === undefined && !summary.loading) {
    return (
      <section>
        <h1>{name}</h1>
        <ErrorBanner message={summary.error ?? `Service ${name} (${id}) was not found. It may have been deleted.`} />
        <Link to="/services">Back to services</Link>
      </section>
    );
  }
  return (
    <section aria-labelledby="service-title" data-busy={busy}>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/services">Services</Link> <span aria-hidden="true">›</span> {name}
      </nav>
      <div className="page-head">
        <h1 id="service-title">{name}</h1>
        {service && <ServiceActions service={service} reload={described.reload} />}
      </div>
      <ErrorBanner message={described.error} />
      {service ? <Overview service={service} /> : <p className="loading">Loading…</p>}
      <div className="tabs" role="navigation" aria-label="Service tabs">
        {TABS.map(([key, label]) => (
          <Link key={key} to={`${base}/${key}`} aria-current={tab === key ? "page" : undefined} className="tab">
            {label}
          </Link>
        ))}
      </div>
      {service && (
        <div className="tab-panel">
          {tab === "logs" && <LogsTab service={service} reload={described.reload} />}
          {tab === "activity" && <ActivityTab service={service} reload={described.reload} />}
          {tab === "metrics" && <MetricsTab service={service} reload={described.reload} />}
          {tab === "instances" && <InstancesTab service={service} reload={described.reload} />}
          {tab === "configuration" && <ConfigurationTab service={service} reload={described.reload} />}
          {tab === "domains" && <DomainsTab service={service} reload={described.reload} />}
          {tab === "image" && <ImageRepositoryTab service={service} reload={described.reload} />}
        </div>
      )}
    </section>
  );
}
