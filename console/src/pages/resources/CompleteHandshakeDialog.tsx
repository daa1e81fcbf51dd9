import type { ConnectionSummary } from "@aws-sdk/client-apprunner";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { problemOf, type ApiProblem } from "../../api/errors";
import { completeConnectionHandshake } from "../../api/openrunner";
import { ErrorBanner, Field } from "../../components/Field";
import { useModal } from "../../components/useModal";

interface Props {
  connection: ConnectionSummary;
  onDone: () => void;
  onCancel: () => void;
}

const TOKEN_HINTS: Record<string, string> = {
  GITHUB: "A GitHub personal access token with read access to the repositories your services build from.",
  BITBUCKET: "A Bitbucket app password with read access to the repositories your services build from.",
};

/**
 * A modal dialog asking for the provider token of a pending connection. The token lives only
 * in this dialog's state (gone when it closes), is sent once over a signed call, and the
 * server stores it encrypted.
 */
export function CompleteHandshakeDialog({ connection, onDone, onCancel }: Props): ReactNode {
  const { apprunner } = useClients();
  const [token, setToken] = useState("");
  const [error, setError] = useState<ApiProblem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const ref = useModal();
  const id = useId();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await completeConnectionHandshake(apprunner, connection.ConnectionArn ?? "", token);
      setToken("");
      onDone();
    } catch (err) {
      setError(problemOf(err));
    } finally {
      setBusy(false);
    }
  };
  const hint = TOKEN_HINTS[connection.ProviderType ?? ""] ?? "A GitHub personal access token or a Bitbucket app password.";
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={`${id}-title`} onCancel={onCancel}>
      <form method="dialog" onSubmit={(e) => void submit(e)} noValidate>
        <h2 id={`${id}-title`}>Complete handshake for {connection.ConnectionName}</h2>
        {error?.denied && <ErrorBanner message={error} />}
        <Field label="Provider token" hint={hint} error={error && !error.denied ? error.message : undefined}>
          {({ id: inputId, describedBy, invalid }) => (
            <input
              id={inputId}
              type="password"
              autoComplete="off"
              spellCheck={false}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={token}
              onChange={(e) => setToken(e.target.value)}
              autoFocus
            />
          )}
        </Field>
        <p className="hint">The token is stored encrypted on the OpenRunner host and never shown again.</p>
        <div className="actions">
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || token.trim() === ""}>
            Submit
          </button>
        </div>
      </form>
    </dialog>
  );
}
