import { UpdateServiceCommand, type Service, type UpdateServiceCommandInput } from "@aws-sdk/client-apprunner";
import { useState, type FormEvent, type ReactNode } from "react";
import { useClients } from "../../api/clients";
import { fieldErrors, problemOf, type ApiProblem } from "../../api/errors";
import { ErrorBanner, Field } from "../../components/Field";
import { fromRecord, KeyValueEditor, toRecord, type KeyValue } from "../../components/KeyValueEditor";
import { CpuMemoryField } from "../../components/CpuMemoryField";
import { SecretsEditor } from "../../components/SecretsEditor";
import { rowsOf, secretRowsProblem, secretsRecord, type SecretRow } from "../../api/secret-references";
import { ConfigurationView } from "./ConfigurationView";
import type { TabProps } from "./ServiceDashboard";

interface Draft {
  imageUri: string;
  automatic: boolean;
  port: string;
  startCommand: string;
  env: KeyValue[];
  secrets: SecretRow[];
  cpuMemory: string;
}

const GB = (mb: string | undefined): string => `${Number(mb ?? 0) / 1024} GB`;
const VCPU = (units: string | undefined): string => `${Number(units ?? 0) / 1024} vCPU`;

function draftOf(s: Service): Draft {
  const image = s.SourceConfiguration?.ImageRepository;
  return {
    imageUri: image?.ImageIdentifier ?? "",
    automatic: s.SourceConfiguration?.AutoDeploymentsEnabled ?? false,
    port: image?.ImageConfiguration?.Port ?? "8080",
    startCommand: image?.ImageConfiguration?.StartCommand ?? "",
    env: fromRecord(image?.ImageConfiguration?.RuntimeEnvironmentVariables),
    secrets: rowsOf(image?.ImageConfiguration?.RuntimeEnvironmentSecrets),
    cpuMemory: `${VCPU(s.InstanceConfiguration?.Cpu)}|${GB(s.InstanceConfiguration?.Memory)}`,
  };
}

/** The rows as RuntimeEnvironmentSecrets; none is sent as none, but `{}` when it clears what the service had. */
function secretsOf(before: Record<string, string> | undefined, rows: SecretRow[]): Record<string, string> | undefined {
  const now = secretsRecord(rows);
  return Object.keys(now).length > 0 || Object.keys(before ?? {}).length > 0 ? now : undefined;
}

function toUpdate(s: Service, d: Draft): UpdateServiceCommandInput {
  const image = s.SourceConfiguration?.ImageRepository;
  const [cpu, memory] = d.cpuMemory.split("|");
  return {
    ServiceArn: s.ServiceArn,
    SourceConfiguration: {
      AutoDeploymentsEnabled: d.automatic,
      AuthenticationConfiguration: s.SourceConfiguration?.AuthenticationConfiguration,
      ImageRepository: {
        ImageIdentifier: d.imageUri.trim(),
        ImageRepositoryType: image?.ImageRepositoryType ?? "ECR_PUBLIC",
        ImageConfiguration: {
          ...image?.ImageConfiguration,
          Port: d.port.trim() || undefined,
          StartCommand: d.startCommand.trim() || undefined,
          RuntimeEnvironmentVariables: toRecord(d.env),
          RuntimeEnvironmentSecrets: secretsOf(image?.ImageConfiguration?.RuntimeEnvironmentSecrets, d.secrets),
        },
      },
    },
    InstanceConfiguration: { ...s.InstanceConfiguration, Cpu: cpu, Memory: memory },
  };
}

const IMAGE = "sourceConfiguration.imageRepository";
const FIELDS = {
  imageUri: { paths: [`${IMAGE}.imageIdentifier`], words: /image/i },
  port: { paths: [`${IMAGE}.imageConfiguration.port`], words: /\bport\b/i },
  startCommand: { paths: [`${IMAGE}.imageConfiguration.startCommand`] },
  secrets: { paths: [`${IMAGE}.imageConfiguration.runtimeEnvironmentSecrets`], words: /secret/i },
  env: { paths: [`${IMAGE}.imageConfiguration.runtimeEnvironmentVariables`], words: /environment/i },
  cpuMemory: { paths: ["instanceConfiguration"], words: /CPU|memory/ },
};

/** The service's configuration; Edit, then Apply changes starts an UpdateService deployment. */
export function ConfigurationTab({ service, reload }: TabProps): ReactNode {
  const { apprunner } = useClients();
  const [draft, setDraft] = useState<Draft | undefined>(undefined);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [denied, setDenied] = useState<ApiProblem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const set = (patch: Partial<Draft>): void => setDraft((d) => (d ? { ...d, ...patch } : d));
  const isImage = service.SourceConfiguration?.ImageRepository !== undefined;

  const apply = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!draft) return;
    setDenied(undefined);
    const secretsProblem = secretRowsProblem(draft.secrets);
    if (secretsProblem) {
      setErrors({ secrets: secretsProblem });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      await apprunner.send(new UpdateServiceCommand(toUpdate(service, draft)));
      setDraft(undefined);
      setNotice("Changes applied: a deployment with the new configuration has started.");
      reload();
    } catch (err) {
      const problem = problemOf(err);
      if (problem.denied) setDenied(problem);
      else setErrors(fieldErrors(err, FIELDS));
    } finally {
      setBusy(false);
    }
  };

  if (!draft) {
    return (
      <section aria-labelledby="config-title" className="card">
        <div className="card-head">
          <h2 id="config-title">Configuration</h2>
          <button
            type="button"
            className="btn"
            disabled={!isImage || service.Status !== "RUNNING"}
            onClick={() => {
              setNotice(undefined);
              setDraft(draftOf(service));
            }}
          >
            Edit
          </button>
        </div>
        {notice && (
          <p className="banner banner-ok" role="status">
            {notice}
          </p>
        )}
        <ConfigurationView service={service} />
      </section>
    );
  }
  return (
    <form aria-labelledby="config-edit-title" className="card" onSubmit={(e) => void apply(e)} noValidate>
      <h2 id="config-edit-title">Edit configuration</h2>
      <ErrorBanner message={denied ?? errors.form} />
      <Field label="Container image URI" error={errors.imageUri}>
        {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={draft.imageUri} onChange={(e) => set({ imageUri: e.target.value })} />}
      </Field>
      <label className="choice">
        <input type="checkbox" checked={draft.automatic} onChange={(e) => set({ automatic: e.target.checked })} /> Automatic deployment of new images
      </label>
      <CpuMemoryField value={draft.cpuMemory} onChange={(cpuMemory) => set({ cpuMemory })} error={errors.cpuMemory} />
      <div className="row">
        <Field label="Port" error={errors.port}>
          {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={draft.port} onChange={(e) => set({ port: e.target.value })} />}
        </Field>
        <Field label="Start command" error={errors.startCommand}>
          {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={draft.startCommand} onChange={(e) => set({ startCommand: e.target.value })} />}
        </Field>
      </div>
      <KeyValueEditor legend="Environment variables" rows={draft.env} onChange={(env) => set({ env })} keyLabel="Variable name" valueLabel="Variable value" addLabel="Add environment variable" error={errors.env} />
      <SecretsEditor rows={draft.secrets} onChange={(secrets) => set({ secrets })} error={errors.secrets} />
      <div className="actions">
        <button type="button" className="btn" onClick={() => setDraft(undefined)}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Applying…" : "Apply changes"}
        </button>
      </div>
    </form>
  );
}
