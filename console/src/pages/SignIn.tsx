import { useState, type FormEvent, type ReactNode } from "react";
import { createClients, destroyClients, type Clients } from "../api/clients";
import { problemOf, type ApiProblem } from "../api/errors";
import { getCallerIdentity } from "../api/identity";
import type { AccessKey, ConsoleConfig } from "../api/session";
import { Field, ErrorBanner } from "../components/Field";

/**
 * Checks the key with STS GetCallerIdentity before keeping it for the tab: every valid key may
 * make that call, so a user whose policies allow only some App Runner actions signs in too.
 */
export function SignIn({ config, onSignedIn }: { config: ConsoleConfig; onSignedIn: (key: AccessKey, c: Clients) => void }): ReactNode {
  const [accessKeyId, setAccessKeyId] = useState("");
  const [secretAccessKey, setSecretAccessKey] = useState("");
  const [sessionToken, setSessionToken] = useState("");
  const [error, setError] = useState<ApiProblem | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const token = sessionToken.trim();
    const key: AccessKey = { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim(), ...(token ? { sessionToken: token } : {}) };
    const clients = createClients(key, config);
    try {
      await getCallerIdentity(clients.apprunner);
      onSignedIn(key, clients);
    } catch (err) {
      destroyClients(clients);
      const problem = problemOf(err);
      setError({ ...problem, message: `Sign-in failed: ${problem.message}` });
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to OpenRunner</h1>
        <p className="hint">
          Use an access key: the root key in <code>&lt;data-dir&gt;/credentials</code>, or an IAM user&apos;s from <code>aws iam create-access-key</code>. Region {config.region}.
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
        <Field label="Session token" hint="Only for temporary credentials (aws sts assume-role, get-session-token).">
          {({ id, describedBy }) => (
            <input id={id} aria-describedby={describedBy} type="password" value={sessionToken} onChange={(e) => setSessionToken(e.target.value)} autoComplete="off" spellCheck={false} />
          )}
        </Field>
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
