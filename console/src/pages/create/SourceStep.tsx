import type { ReactNode } from "react";
import type { StepProps } from "./CreateWizard";
import { CodeSourceFields } from "./CodeSourceFields";
import { ImageSourceFields } from "./ImageSourceFields";

/** Source (a container registry image or a source code repository) and deployment settings. */
export function SourceStep(props: StepProps): ReactNode {
  const { state, set } = props;
  const code = state.sourceKind === "code";
  return (
    <div className="step">
      <fieldset>
        <legend>Repository type</legend>
        <label className="choice">
          <input type="radio" name="source-kind" value="image" checked={!code} onChange={() => set({ sourceKind: "image" })} /> Container registry
        </label>
        <label className="choice">
          <input type="radio" name="source-kind" value="code" checked={code} onChange={() => set({ sourceKind: "code" })} /> Source code repository
        </label>
      </fieldset>
      {code ? <CodeSourceFields {...props} /> : <ImageSourceFields {...props} />}
      <fieldset>
        <legend>Deployment trigger</legend>
        <label className="choice">
          <input type="radio" name="deployment" value="manual" checked={state.deployment === "manual"} onChange={() => set({ deployment: "manual" })} /> Manual — start each deployment
          yourself
        </label>
        <label className="choice">
          <input type="radio" name="deployment" value="automatic" checked={state.deployment === "automatic"} onChange={() => set({ deployment: "automatic" })} /> Automatic — deploy
          {code ? " every push to this branch" : " every new image pushed to this tag"}
        </label>
      </fieldset>
    </div>
  );
}
