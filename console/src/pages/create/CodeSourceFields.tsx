import { ListConnectionsCommand } from "@aws-sdk/client-apprunner";
import type { ReactNode } from "react";
import { useClients } from "../../api/clients";
import { Field } from "../../components/Field";
import { usePolled } from "../../hooks";
import type { StepProps } from "./CreateWizard";

/** A source code repository: URL, connection (for private ones), branch and source directory. */
export function CodeSourceFields({ state, set, errors }: StepProps): ReactNode {
  const { apprunner } = useClients();
  const connections = usePolled(async () => (await apprunner.send(new ListConnectionsCommand({ MaxResults: 100 }))).ConnectionSummaryList ?? [], "wizard-connections");
  return (
    <>
      <Field
        label="Repository URL"
        hint="An https:// URL (GitHub, Bitbucket or any git server), a file:// URL or a path on the OpenRunner host."
        error={errors.repositoryUrl ?? errors.source}
      >
        {({ id, describedBy, invalid }) => (
          <input
            id={id}
            name="repositoryUrl"
            aria-describedby={describedBy}
            aria-invalid={invalid}
            value={state.repositoryUrl}
            onChange={(e) => set({ repositoryUrl: e.target.value })}
            spellCheck={false}
            autoComplete="off"
            placeholder="https://github.com/my-org/python-hello"
          />
        )}
      </Field>
      <Field label="Connection (optional)" hint="Only private repositories need one (add and complete connections on the Connections page)." error={errors.connection}>
        {({ id, describedBy, invalid }) => (
          <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={state.connectionArn} onChange={(e) => set({ connectionArn: e.target.value })}>
            <option value="">No connection (public repository)</option>
            {(connections.data ?? []).map((c) => (
              <option key={c.ConnectionArn} value={c.ConnectionArn} disabled={c.Status !== "AVAILABLE"}>
                {c.ConnectionName} ({c.ProviderType}){c.Status === "AVAILABLE" ? "" : ` — ${c.Status === "PENDING_HANDSHAKE" ? "handshake pending" : c.Status ?? ""}`}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="row">
        <Field label="Branch" error={errors.branch}>
          {({ id, describedBy, invalid }) => (
            <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={state.branch} onChange={(e) => set({ branch: e.target.value })} spellCheck={false} autoComplete="off" />
          )}
        </Field>
        <Field label="Source directory (optional)" hint="Where the code and apprunner.yaml are; the repository's root if empty." error={errors.sourceDirectory}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={state.sourceDirectory}
              onChange={(e) => set({ sourceDirectory: e.target.value })}
              spellCheck={false}
              placeholder="/"
            />
          )}
        </Field>
      </div>
    </>
  );
}
