import { ListAutoScalingConfigurationsCommand } from "@aws-sdk/client-apprunner";
import type { ReactNode } from "react";
import { useClients } from "../../api/clients";
import { Field } from "../../components/Field";
import { KeyValueEditor } from "../../components/KeyValueEditor";
import { usePolled } from "../../hooks";
import type { StepProps } from "./CreateWizard";
import { codeFromApi } from "./model";
import { CpuMemoryField } from "../../components/CpuMemoryField";
import { HealthCheckFields } from "./HealthCheckFields";
import { KmsKeyField } from "../../components/KmsKeyField";
import { SecretsEditor } from "../../components/SecretsEditor";

/** Service settings: name, size, port and start command (images only), variables, auto scaling, health check, security, tags. */
export function ConfigureStep({ state, set, errors }: StepProps): ReactNode {
  const { apprunner } = useClients();
  const configs = usePolled(
    async () => (await apprunner.send(new ListAutoScalingConfigurationsCommand({ LatestOnly: true }))).AutoScalingConfigurationSummaryList ?? [],
    "asc-latest",
  );
  const variablesHere = state.sourceKind === "image" || codeFromApi(state);
  return (
    <div className="step">
      <Field label="Service name" hint="4 to 40 letters, digits, hyphens and underscores; starts with a letter or digit." error={errors.name}>
        {({ id, describedBy, invalid }) => (
          <input id={id} name="serviceName" aria-describedby={describedBy} aria-invalid={invalid} value={state.name} onChange={(e) => set({ name: e.target.value })} autoComplete="off" />
        )}
      </Field>
      <CpuMemoryField value={state.cpuMemory} onChange={(cpuMemory) => set({ cpuMemory })} error={errors.cpuMemory} />
      {state.sourceKind === "image" && (
        <div className="row">
          <Field label="Port" hint="The port your application listens on (given to it as PORT)." error={errors.port}>
            {({ id, describedBy, invalid }) => (
              <input id={id} name="port" inputMode="numeric" aria-describedby={describedBy} aria-invalid={invalid} value={state.port} onChange={(e) => set({ port: e.target.value })} />
            )}
          </Field>
          <Field label="Start command (optional)" error={errors.startCommand}>
            {({ id, describedBy, invalid }) => (
              <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={state.startCommand} onChange={(e) => set({ startCommand: e.target.value })} spellCheck={false} />
            )}
          </Field>
        </div>
      )}
      {variablesHere ? (
        <>
          <KeyValueEditor
            legend="Environment variables"
            rows={state.env}
            onChange={(env) => set({ env })}
            keyLabel="Variable name"
            valueLabel="Variable value"
            addLabel="Add environment variable"
            error={errors.env}
          />
          <SecretsEditor rows={state.secrets} onChange={(secrets) => set({ secrets })} error={errors.secrets} />
        </>
      ) : (
        <p className="hint">Environment variables, like the port and start command, come from the repository's apprunner.yaml.</p>
      )}
      <fieldset>
        <legend>Auto scaling</legend>
        <label className="choice">
          <input type="radio" name="asc" checked={state.autoScaling === "default"} onChange={() => set({ autoScaling: "default" })} /> Default configuration
        </label>
        <label className="choice">
          <input type="radio" name="asc" checked={state.autoScaling === "existing"} onChange={() => set({ autoScaling: "existing" })} /> Use an existing configuration
        </label>
        {state.autoScaling === "existing" && (
          <Field label="Configuration" error={errors.autoScaling}>
            {({ id, describedBy, invalid }) => (
              <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={state.autoScalingArn} onChange={(e) => set({ autoScalingArn: e.target.value })}>
                <option value="">Choose a configuration</option>
                {(configs.data ?? []).map((c) => (
                  <option key={c.AutoScalingConfigurationArn} value={c.AutoScalingConfigurationArn}>
                    {c.AutoScalingConfigurationName} (revision {c.AutoScalingConfigurationRevision})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {state.autoScaling === "default" && errors.autoScaling && <p className="field-error" role="alert">{errors.autoScaling}</p>}
      </fieldset>
      <HealthCheckFields state={state} set={set} errors={errors} />
      <fieldset>
        <legend>Security</legend>
        <Field label="Instance role ARN (optional)" hint="The IAM role your code runs with." error={errors.instanceRoleArn}>
          {({ id, describedBy, invalid }) => (
            <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={state.instanceRoleArn} onChange={(e) => set({ instanceRoleArn: e.target.value })} />
          )}
        </Field>
        <KmsKeyField label="AWS KMS key for encryption" value={state.kmsKey} onChange={(kmsKey) => set({ kmsKey })} emptyMeans="an AWS managed key; it cannot be changed after creation" error={errors.kmsKey} holds="keyArn" />
      </fieldset>
      <KeyValueEditor legend="Tags" rows={state.tags} onChange={(tags) => set({ tags })} keyLabel="Tag key" valueLabel="Tag value" addLabel="Add tag" error={errors.tags} />
    </div>
  );
}
