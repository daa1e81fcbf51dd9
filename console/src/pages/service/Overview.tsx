import type { Service } from "@aws-sdk/client-apprunner";
import type { ReactNode } from "react";
import { useClients } from "../../api/clients";
import { listServiceInstances } from "../../api/openrunner";
import { GRADUAL_ROLLOUT_TAG, rolloutLabel } from "../../api/gradual-rollout";
import { idlePeriodLabel, SCALE_TO_ZERO_TAG } from "../../api/scale-to-zero";
import { tagValuesOf } from "../../api/service-tags";
import { serviceLink } from "../../api/session";
import { Facts } from "../../components/Facts";
import { StatusBadge } from "../../components/StatusBadge";
import { formatTime, usePolled } from "../../hooks";

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

/**
 * Scale to zero (issue 20): the idle period the service's tag opts in to, and its instances now;
 * at 0 the service is RUNNING and its next request starts an instance.
 */
function scalingFacts(idle: string | undefined, active: number | undefined): [string, ReactNode][] {
  const out: [string, ReactNode][] = [];
  if (idle !== undefined) out.push(["Scale to zero", `Scales to zero after ${idle} idle`]);
  if (active !== undefined) {
    out.push(["Active instances", active === 0 && idle !== undefined ? <span key="z" data-scaled-to-zero="true">0 (scaled to zero: the next request starts one)</span> : String(active)]);
  }
  return out;
}

/** The service overview: status, ARN, default domain, source, scaling, times. */
export function Overview({ service: s }: { service: Service }): ReactNode {
  const { config, apprunner } = useClients();
  const arn = s.ServiceArn ?? "";
  // OpenRunner's opt-ins are tags: one read shows scale to zero and how deployments shift traffic.
  const tags = usePolled(() => tagValuesOf(apprunner, arn), `overview-tags-${arn}`, 10_000);
  const idle = idlePeriodLabel(tags.data?.[SCALE_TO_ZERO_TAG]);
  const instances = usePolled(() => listServiceInstances(apprunner, arn), `overview-instances-${arn}`, 3000);
  const facts: [string, ReactNode][] = [
    ["Status", <StatusBadge key="s" status={s.Status} />],
    ["Default domain", s.ServiceUrl ? <a href={serviceLink(config, s.ServiceUrl)} target="_blank" rel="noreferrer">{s.ServiceUrl}</a> : "—"],
    ["Service ARN", <code key="a" className="wrap">{s.ServiceArn}</code>],
    ...sourceFacts(s),
    ["Deployment trigger", s.SourceConfiguration?.AutoDeploymentsEnabled ? "Automatic" : "Manual"],
    ...(tags.data ? ([["Rollout", rolloutLabel(tags.data[GRADUAL_ROLLOUT_TAG])]] as [string, ReactNode][]) : []),
    ...scalingFacts(idle, instances.data?.length),
    ["Created", formatTime(s.CreatedAt)],
    ["Last updated", formatTime(s.UpdatedAt)],
  ];
  return (
    <section className="card overview" aria-label="Service overview">
      <Facts facts={facts} />
    </section>
  );
}
