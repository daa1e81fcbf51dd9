import type { ReactNode } from "react";
import { NOT_SERVED_MESSAGE } from "../../api/ecr";

/** What a server without the built-in registry (no ECR API on its endpoint) shows instead of repositories. */
export function NotServed(): ReactNode {
  return (
    <div className="empty" data-testid="ecr-not-served">
      <p>{NOT_SERVED_MESSAGE}</p>
      <p className="hint">
        The built-in registry and its ECR API are off on this server (<code>openrunner up --registry-port 0</code>, or a server started without them).
      </p>
    </div>
  );
}
