import { AssociateCustomDomainCommand } from "@aws-sdk/client-apprunner";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { ErrorBanner, Field } from "../../components/Field";
import { useModal } from "../../components/useModal";
import { useCall } from "../secrets/useCall";

interface Props {
  serviceArn: string;
  /** Called with the linked name once AssociateCustomDomain succeeded: the tab shows its DNS records next. */
  onLinked: (domainName: string) => void;
  onCancel: () => void;
}

/** Every AssociateCustomDomain refusal is about the name (malformed, taken, over the limit): it shows under the field. */
const FIELDS = { domain: { paths: ["DomainName", "domainName"], words: /./ } };

/**
 * App Runner's "Link domain" dialog. Unlike App Runner's console, which links www only through
 * the API, OpenRunner offers it here (EnableWWWSubdomain, App Runner's default too).
 */
export function LinkDomainDialog({ serviceArn, onLinked, onCancel }: Props): ReactNode {
  const { apprunner } = useClients();
  const [domain, setDomain] = useState("");
  const [www, setWww] = useState(true);
  const call = useCall(FIELDS);
  const ref = useModal();
  const id = useId();
  const name = domain.trim();
  const wildcard = name.startsWith("*.");
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const linked = await call.run(() => apprunner.send(new AssociateCustomDomainCommand({ ServiceArn: serviceArn, DomainName: name, EnableWWWSubdomain: www && !wildcard })));
    if (linked) onLinked(name);
  };
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-title`} onCancel={onCancel}>
      <form method="dialog" onSubmit={(e) => void submit(e)} noValidate>
        <h2 id={`${id}-title`}>Link domain</h2>
        <ErrorBanner message={call.failure} />
        <Field label="Domain name" hint="A domain you own, such as app.example.com, or a wildcard such as *.example.com." error={call.errors.domain}>
          {({ id: inputId, describedBy, invalid }) => (
            <input id={inputId} aria-describedby={describedBy} aria-invalid={invalid} value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="app.example.com" spellCheck={false} autoFocus />
          )}
        </Field>
        <label className="choice">
          <input type="checkbox" checked={www && !wildcard} disabled={wildcard} onChange={(e) => setWww(e.target.checked)} /> Include www.{name || "<domain>"}
        </label>
        <div className="actions">
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={call.busy || name === ""}>
            Link domain
          </button>
        </div>
      </form>
    </dialog>
  );
}
