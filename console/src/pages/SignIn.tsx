import { ListServicesCommand } from "@aws-sdk/client-apprunner";
import { useState, type FormEvent, type ReactNode } from "react";
import { createClients, destroyClients, type Clients } from "../api/clients";
import { errorMessage } from "../api/errors";
import type { AccessKey, ConsoleConfig } from "../api/session";
import { Field, ErrorBanner } from "../components/Field";

/** Checks the key with a real signed call (ListServices) before keeping it for the tab. */
export function SignIn({ config, onSignedIn }: { config: ConsoleConfig; onSignedIn: (key: AccessKey, c: Clients) => void }): ReactNode {
  const [accessKeyId, setAccessKeyId] = useState("");
  const [secretAccessKey, setSecretAccessKey] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const key = { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() };
    const clients = createClients(key, config);
    try {
      await clients.apprunner.send(new ListServicesCommand({ MaxResults: 1 }));
      onSignedIn(key, clients);
    } catch (err) {
      destroyClients(clients);
      setError(`Sign-in failed: ${errorMessage(err)}`);
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to OpenRunner</h1>
        <p className="hint">
          Use an access key, such as the root key in <code>&lt;data-dir&gt;/credentials</code>. Region {config.region}.
        </p>
        <ErrorBanner message={error} />
        <Field label="Access key ID">
          {({ id, describedBy }) => (
            <input id={id} aria-describedby={describedBy} value={accessKeyId} onChange={(e) => setAccessKeyId(e.target.value)} autoComplete="username" required autoFocus />
          )}
        </Field>
        <Field label="Secret access key">
          {({ id, describedBy }) => (
            <input id={id} aria-describedby={describedBy} type="password" value={secretAccessKey} onChange={(e) => setSecretAccessKey(e.target.value)} autoComplete="current-password" required />
          )}
        </Field>
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
