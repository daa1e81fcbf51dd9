import type { ReactNode } from "react";
import { Field } from "../../components/Field";
import type { StepProps } from "./CreateWizard";

/** A container registry image: provider, image URI and (for a private registry) the access role. */
export function ImageSourceFields({ state, set, errors }: StepProps): ReactNode {
  return (
    <>
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
    </>
  );
}
