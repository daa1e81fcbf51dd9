import type { ReactNode } from "react";
import { certificateFacts, dnsTargetRecords, domainStatusLabel, validationRows, type CustomDomainView } from "../../api/custom-domains";
import { CopyButton } from "../../components/CopyButton";
import { Facts } from "../../components/Facts";
import { ResourceTable } from "../../components/ResourceTable";
import { StatusBadge } from "../../components/StatusBadge";
import { formatTime } from "../../hooks";

interface Props {
  domain: CustomDomainView;
  dnsTarget: string | undefined;
  busy: boolean;
  onUnlink: () => void;
  now: Date;
}

/** A record's name or value, with a copy button named after what it copies. */
function Copyable({ text, label }: { text: string; label: string }): ReactNode {
  return (
    <>
      <code className="wrap">{text}</code> {text && <CopyButton text={text} label={label} />}
    </>
  );
}

/** The cells every DNS record row starts with: name and value copyable, as they are typed into a DNS provider's form. */
function RecordCells({ name, type, value }: { name: string; type: string; value: string }): ReactNode {
  return (
    <>
      <td data-label="Record name" className="wrap">
        <Copyable text={name} label={`record name ${name}`} />
      </td>
      <td data-label="Type">{type}</td>
      <td data-label="Value" className="wrap">
        <Copyable text={value} label={`value of ${name}`} />
      </td>
    </>
  );
}

/**
 * One linked domain, as App Runner's console tiles them: its status (and why it waits or failed),
 * the records to create ("Configure DNS"), each validation record's last DNS check, and the
 * certificate serving it with its expiry and renewal health.
 */
export function DomainTile({ domain: d, dnsTarget, busy, onUnlink, now }: Props): ReactNode {
  const name = d.DomainName ?? "";
  const targets = dnsTargetRecords(d, dnsTarget);
  const records = validationRows(d);
  const cert = certificateFacts(d.Certificate, now);
  return (
    <article className="domain tile" data-domain={name}>
      <div className="card-head">
        <div className="tile-title">
          <h3>{name}</h3>
          <StatusBadge status={d.Status} label={domainStatusLabel(d.Status)} />
        </div>
        <button type="button" className="btn btn-danger" disabled={busy} onClick={onUnlink}>
          Unlink<span className="sr-only"> {name}</span>
        </button>
      </div>
      {d.StatusMessage && (
        <p className="status-note" data-testid="status-message">
          {d.StatusMessage}
        </p>
      )}
      <h4 className="section-title">Configure DNS</h4>
      <p className="hint">
        Point the domain at the service (at a zone apex, with an ALIAS or ANAME record where your DNS provider has one):
      </p>
      <ResourceTable label={`DNS target records for ${name}`} columns={["Record name", "Type", "Value"]}>
        {targets.map((r) => (
          <tr key={r.name} data-record={r.name}>
            <RecordCells name={r.name} type={r.type} value={r.value} />
          </tr>
        ))}
      </ResourceTable>
      <p className="hint">Create these records once so OpenRunner can validate the certificate, now and at every renewal:</p>
      <ResourceTable label={`Certificate validation records for ${name}`} columns={["Record name", "Type", "Value", "Status", "Last check"]}>
        {records.map((r) => (
          <tr key={r.name} data-record={r.name}>
            <RecordCells name={r.name} type={r.type} value={r.value} />
            <td data-label="Status">
              <StatusBadge status={r.status} label={r.statusLabel} />
            </td>
            <td data-label="Last check" className="wrap">
              {r.checkResult ?? "Not checked yet"}
              {r.checkedAt && <span className="hint"> ({formatTime(r.checkedAt)})</span>}
            </td>
          </tr>
        ))}
      </ResourceTable>
      {cert && (
        <>
          <h4 className="section-title">Certificate</h4>
          {cert.renewalWarning && (
            <div className="banner banner-warn" role="alert" data-testid="renewal-warning">
              {cert.renewalWarning}
            </div>
          )}
          <Facts
            facts={[
              ["Issuer", cert.issuer],
              ["Valid from", formatTime(cert.notBefore)],
              ["Expires", cert.notAfter ? `${formatTime(cert.notAfter)} (${cert.expiry ?? ""})` : "—"],
              ["Renewal", cert.renewalFailing ? "Failing" : "OK"],
            ]}
          />
        </>
      )}
    </article>
  );
}
