import type { ReactNode } from "react";
import type { ApiProblem } from "../api/errors";

/**
 * IAM refused a call: said as such, apart from other errors, with AWS's own message (it names
 * the principal, the action and the resource, which is what an administrator needs to allow it).
 * `listing` names what a list page could not list ("services"): the page says it cannot show it.
 */
export function AccessDenied({ problem, listing }: { problem: ApiProblem; listing?: string }): ReactNode {
  const action = problem.denied?.action;
  return (
    <div className="banner banner-denied" role="alert" data-denied-action={action}>
      <p className="banner-title">
        <strong>Access denied.</strong>{" "}
        {listing ? `You don't have permission to list ${listing}.` : "You don't have permission to do this."}
        {action && (
          <>
            {" "}
            Action: <code>{action}</code>
          </>
        )}
      </p>
      <p className="denied-message">{problem.message}</p>
      <p className="hint">An administrator can allow it with an IAM policy attached to your user, group or role.</p>
    </div>
  );
}
