import type { ReactNode } from "react";
import { Field } from "../../components/Field";
import type { StepProps } from "./CreateWizard";

/** Source (a container registry image) and deployment settings. */
export function SourceStep({ state, set, errors }: StepProps): ReactNode {
  return (
    <div className="step">
      <fieldset>
        <legend>Repository type</legend>
        <label className="choice">
          <input type="radio" name="source-kind" checked readOnly /> Container registry
        </label>
        <p className="hint">Source code repositories come with OpenRunner's source builds.</p>
      </fieldset>
      <fieldset>
        <legend>Provider</legend>
        {(
          [
            ["ECR_PUBLIC", "Public registry (ECR Public or any OCI registry)"],
            ["ECR", "Private registry (Amazon ECR style, with an access role)"],
          ] as const
        ).map(([value, label]) => (
          <label className="choice" key={value}>
            <input type="radio" name="provider" value={value} checked={state.repositoryType === value} onChange={() => set({ repositoryType: value })} /> {label}
          </label>
        ))}
      </fieldset>
      <Field label="Container image URI" hint="Any OCI reference, e.g. 127.0.0.1:5000/hello:latest or registry.example.com/team/app@sha256:…" error={errors.imageUri ?? errors.source}>
        {({ id, describedBy, invalid }) => (
          <input id={id} name="imageUri" aria-describedby={describedBy} aria-invalid={invalid} value={state.imageUri} onChange={(e) => set({ imageUri: e.target.value })} spellCheck={false} />
        )}
      </Field>
      {state.repositoryType === "ECR" && (
        <Field label="ECR access role ARN" hint="The role App Runner uses to pull the image.">
          {({ id, describedBy }) => <input id={id} aria-describedby={describedBy} value={state.accessRoleArn} onChange={(e) => set({ accessRoleArn: e.target.value })} />}
        </Field>
      )}
      <fieldset>
        <legend>Deployment trigger</legend>
        <label className="choice">
          <input type="radio" name="deployment" value="manual" checked={state.deployment === "manual"} onChange={() => set({ deployment: "manual" })} /> Manual — start each deployment
          yourself
        </label>
        <label className="choice">
          <input type="radio" name="deployment" value="automatic" checked={state.deployment === "automatic"} onChange={() => set({ deployment: "automatic" })} /> Automatic — deploy
          every new image pushed to this tag
        </label>
      </fieldset>
    </div>
  );
}
