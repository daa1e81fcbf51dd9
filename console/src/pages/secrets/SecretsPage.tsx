import { useState, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { describeParameters, listSecrets } from "../../api/secrets";
import { ErrorBanner } from "../../components/Field";
import { usePolled } from "../../hooks";
import { CreateParameterForm } from "./CreateParameterForm";
import { CreateSecretForm } from "./CreateSecretForm";
import { ParametersTable } from "./ParametersTable";
import { SecretsTable } from "./SecretsTable";

/**
 * Secrets Manager secrets and Parameter Store parameters, the stores a service's
 * RuntimeEnvironmentSecrets read from: names and metadata, refreshed every 5 s. Values are
 * written here and never read back (the console calls no GetSecretValue nor GetParameter).
 */
export function SecretsPage(): ReactNode {
  const { apprunner } = useClients();
  const secrets = usePolled(() => listSecrets(apprunner), "secrets", 5000);
  const parameters = usePolled(() => describeParameters(apprunner), "parameters", 5000);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  return (
    <section aria-labelledby="secrets-title">
      <h1 id="secrets-title">Secrets</h1>
      <p className="hint">
        Reference these from a service's environment (Configuration, Environment secrets) or from <code>run.secrets</code> in apprunner.yaml; the service's instance role reads them at each deployment.
      </p>
      {notice && (
        <p className="banner banner-ok" role="status">
          {notice}
        </p>
      )}
      <section aria-labelledby="sm-title" className="card">
        <h2 id="sm-title">
          Secrets Manager <span className="count">({secrets.data?.length ?? 0})</span>
        </h2>
        <ErrorBanner message={secrets.error} listing="secrets" />
        {secrets.data && secrets.data.length === 0 && <p className="hint">No secrets yet.</p>}
        {secrets.data && secrets.data.length > 0 && <SecretsTable secrets={secrets.data} reload={secrets.reload} />}
      </section>
      <CreateSecretForm
        onCreated={(name, arn) => {
          setNotice(`Secret ${name} stored: ${arn}`);
          secrets.reload();
        }}
      />
      <section aria-labelledby="ps-title" className="card">
        <h2 id="ps-title">
          Parameter Store <span className="count">({parameters.data?.length ?? 0})</span>
        </h2>
        <ErrorBanner message={parameters.error} listing="parameters" />
        {parameters.data && parameters.data.length === 0 && <p className="hint">No parameters yet.</p>}
        {parameters.data && parameters.data.length > 0 && <ParametersTable parameters={parameters.data} reload={parameters.reload} />}
      </section>
      <CreateParameterForm
        onCreated={(name) => {
          setNotice(`Parameter ${name} created.`);
          parameters.reload();
        }}
      />
    </section>
  );
}
