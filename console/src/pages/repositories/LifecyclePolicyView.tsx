import type { ReactNode } from "react";
import type { LifecyclePolicy } from "../../api/ecr";
import { prettyPolicy, summarizeLifecyclePolicy } from "../../api/lifecycle-rules";
import { formatTime } from "../../hooks";

/** A repository's lifecycle policy: its rules in words, and the policy text itself. */
export function LifecyclePolicyView({ name, policy }: { name: string; policy: LifecyclePolicy | undefined }): ReactNode {
  const rules = policy ? summarizeLifecyclePolicy(policy.lifecyclePolicyText) : undefined;
  return (
    <section className="card" aria-labelledby="lifecycle-title">
      <h2 id="lifecycle-title">Lifecycle policy</h2>
      {!policy ? (
        <p className="hint" data-testid="no-lifecycle-policy">
          No lifecycle policy: every image stays until it is deleted. Set one with <code>aws ecr put-lifecycle-policy --repository-name {name}</code>.
        </p>
      ) : (
        <>
          {rules && rules.length > 0 && (
            <div className="table-wrap">
              <table aria-label="Lifecycle rules">
                <thead>
                  <tr>
                    <th scope="col">Priority</th>
                    <th scope="col">Description</th>
                    <th scope="col">Applies to</th>
                    <th scope="col">When</th>
                    <th scope="col">Action</th>
                  </tr>
                </thead>
                <tbody>
                  {rules.map((r, i) => (
                    <tr key={`${r.priority ?? "none"}-${i}`}>
                      <td data-label="Priority">{r.priority ?? "—"}</td>
                      <td data-label="Description">{r.description || "—"}</td>
                      <td data-label="Applies to">{r.appliesTo}</td>
                      <td data-label="When">{r.when}</td>
                      <td data-label="Action">{r.action}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p className="hint">Last evaluated: {formatTime(policy.lastEvaluatedAt)}</p>
          <details>
            <summary>Policy text</summary>
            <pre className="policy">
              <code>{prettyPolicy(policy.lifecyclePolicyText)}</code>
            </pre>
          </details>
        </>
      )}
    </section>
  );
}
