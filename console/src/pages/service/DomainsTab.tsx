import { AssociateCustomDomainCommand, DescribeCustomDomainsCommand, DisassociateCustomDomainCommand } from "@aws-sdk/client-apprunner";
import { useState, type FormEvent, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { problemOf, type ApiProblem } from "../../api/errors";
import { ErrorBanner, Field } from "../../components/Field";
import { StatusBadge } from "../../components/StatusBadge";
import { usePolled } from "../../hooks";
import type { TabProps } from "./ServiceDashboard";

/** Linked domains with their status and the DNS records to create; link and unlink. */
export function DomainsTab({ service }: TabProps): ReactNode {
  const { apprunner } = useClients();
  const arn = service.ServiceArn ?? "";
  const [domain, setDomain] = useState("");
  const [www, setWww] = useState(true);
  const [error, setError] = useState<ApiProblem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const data = usePolled(() => apprunner.send(new DescribeCustomDomainsCommand({ ServiceArn: arn })), `domains-${arn}`, 5000);

  const act = async (send: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await send();
      data.reload();
      return true;
    } catch (err) {
      setError(problemOf(err));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const link = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (await act(() => apprunner.send(new AssociateCustomDomainCommand({ ServiceArn: arn, DomainName: domain.trim(), EnableWWWSubdomain: www })))) setDomain("");
  };

  return (
    <section aria-labelledby="domains-title" className="card">
      <h2 id="domains-title">Custom domains</h2>
      <form className="row align-end" onSubmit={(e) => void link(e)}>
        <Field label="Domain name" error={error && !error.denied ? error.message : undefined}>
          {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="app.example.com" />}
        </Field>
        <label className="choice">
          <input type="checkbox" checked={www} onChange={(e) => setWww(e.target.checked)} /> Also www subdomain
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy || domain.trim() === ""}>
          Link domain
        </button>
      </form>
      <ErrorBanner message={error?.denied ? error : data.error} />
      {data.data?.DNSTarget && (
        <p>
          Point each domain with a CNAME (or ALIAS at the apex) to <code>{data.data.DNSTarget}</code>.
        </p>
      )}
      {(data.data?.CustomDomains ?? []).length === 0 && <p className="hint">No custom domains linked.</p>}
      {(data.data?.CustomDomains ?? []).map((d) => (
        <article key={d.DomainName} className="domain">
          <div className="card-head">
            <h3>{d.DomainName}</h3>
            <StatusBadge status={d.Status} />
            <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void act(() => apprunner.send(new DisassociateCustomDomainCommand({ ServiceArn: arn, DomainName: d.DomainName })))}>
              Unlink<span className="sr-only"> {d.DomainName}</span>
            </button>
          </div>
          <div className="table-wrap">
            <table>
              <caption className="sr-only">DNS records for {d.DomainName}</caption>
              <thead>
                <tr>
                  <th scope="col">Record name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Value</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {(d.CertificateValidationRecords ?? []).map((r) => (
                  <tr key={r.Name}>
                    <td data-label="Record name" className="wrap">{r.Name}</td>
                    <td data-label="Type">{r.Type}</td>
                    <td data-label="Value" className="wrap">{r.Value}</td>
                    <td data-label="Status">{r.Status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </article>
      ))}
    </section>
  );
}
