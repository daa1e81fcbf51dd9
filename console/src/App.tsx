import { useEffect, useState, type ReactNode } from "react";
import { ClientsContext, createClients, destroyClients, type Clients } from "./api/clients";
import { clearSession, fetchConfig, loadSession, saveSession, type AccessKey, type ConsoleConfig } from "./api/session";
import { Layout } from "./Layout";
import { Pages } from "./Pages";
import { SignIn } from "./pages/SignIn";

/** Loads the region, restores a session from this tab, and shows sign-in or the console. */
export function App(): ReactNode {
  const [config, setConfig] = useState<ConsoleConfig | undefined>(undefined);
  const [configError, setConfigError] = useState<string | undefined>(undefined);
  const [clients, setClients] = useState<Clients | undefined>(undefined);

  useEffect(() => {
    fetchConfig().then(
      (c) => {
        setConfig(c);
        const key = loadSession();
        if (key) setClients(createClients(key, c));
      },
      (err: unknown) => setConfigError(String(err)),
    );
  }, []);

  if (configError) return <p role="alert">The console cannot reach OpenRunner: {configError}</p>;
  if (!config) return <p className="loading">Loading…</p>;

  const signIn = (key: AccessKey, verified: Clients): void => {
    saveSession(key);
    setClients(verified);
  };
  const signOut = (): void => {
    clearSession();
    if (clients) destroyClients(clients);
    setClients(undefined);
  };

  if (!clients) return <SignIn config={config} onSignedIn={signIn} />;
  return (
    <ClientsContext.Provider value={clients}>
      <Layout onSignOut={signOut}>
        <Pages />
      </Layout>
    </ClientsContext.Provider>
  );
}
