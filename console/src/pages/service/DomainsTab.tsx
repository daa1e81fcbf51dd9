import { DisassociateCustomDomainCommand } from "@aws-sdk/client-apprunner";
import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { isDomainInProgress, type CustomDomainView } from "../../api/custom-domains";
import { describeAllCustomDomains } from "../../api/custom-domains-api";
import { ConfirmDelete } from "../../components/ConfirmDelete";
import { ErrorBanner } from "../../components/Field";
import { usePolled } from "../../hooks";
import { useRowActions } from "../secrets/useCall";
import { DomainTile } from "./DomainTile";
import { LinkDomainDialog } from "./LinkDomainDialog";
import type { TabProps } from "./ServiceDashboard";

/**
 * Linked domains as tiles with their status, the DNS records to create and the certificate;
 * Link domain opens a dialog, Unlink asks for the name. Polled every 2 s while an association
 * is on its way (validation, binding, deleting), else every 10 s.
 */
export function DomainsTab({ service }: TabProps): ReactNode {
  const { apprunner } = useClients();
  const arn = service.ServiceArn ?? "";
  const [linking, setLinking] = useState(false);
  const [inProgress, setInProgress] = useState(false);
  const data = usePolled(
    async () => {
      const out = await describeAllCustomDomains(apprunner, arn);
      setInProgress(out.CustomDomains.some((d) => isDomainInProgress(d.Status)));
      return out;
    },
    `domains-${arn}`,
    inProgress ? 2000 : 10_000,
  );
  const { busy, failure, deleting, setDeleting, act } = useRowActions<CustomDomainView>(data.reload);
  const domains = data.data?.CustomDomains ?? [];
  const now = new Date();
  return (
    <section aria-labelledby="domains-title" className="card">
      <div className="card-head">
        <h2 id="domains-title">Custom domains</h2>
        <button type="button" className="btn btn-primary" onClick={() => setLinking(true)}>
          Link domain
        </button>
      </div>
      <ErrorBanner message={failure ?? data.error} />
      {data.data?.DNSTarget && (
        <p>
          DNS target: <code>{data.data.DNSTarget}</code>
        </p>
      )}
      {data.data && domains.length === 0 && <p className="hint">No custom domains linked.</p>}
      <div className="tiles">
        {domains.map((d) => (
          <DomainTile key={d.DomainName} domain={d} dnsTarget={data.data?.DNSTarget} busy={busy} now={now} onUnlink={() => setDeleting(d)} />
        ))}
      </div>
      {linking && (
        <LinkDomainDialog
          serviceArn={arn}
          onCancel={() => setLinking(false)}
          onLinked={() => {
            setLinking(false);
            data.reload();
          }}
        />
      )}
      {deleting && (
        <ConfirmDelete
          verb="Unlink"
          what="domain"
          name={deleting.DomainName ?? ""}
          busy={busy}
          consequence="OpenRunner stops serving the domain and drops its certificate; remove the DNS records you created for it."
          onCancel={() => setDeleting(undefined)}
          onConfirm={() => void act(() => apprunner.send(new DisassociateCustomDomainCommand({ ServiceArn: arn, DomainName: deleting.DomainName })))}
        />
      )}
    </section>
  );
}
