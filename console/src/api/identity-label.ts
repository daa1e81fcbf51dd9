/** How the header names a principal: the name a person knows it by, and what kind it is. */
export interface IdentityLabel {
  name: string;
  kind: "root" | "IAM user" | "assumed role" | "federated user" | "principal";
  /** An assumed role's role name (the session is `name`). */
  role?: string;
}

/**
 * `arn:aws:iam::<account>:root` → root; `…:user/<path><name>` → the user's name;
 * `arn:aws:sts::<account>:assumed-role/<role>/<session>` → the session, of that role.
 */
export function identityLabel(arn: string): IdentityLabel {
  const resource = /^arn:[^:]+:(?:iam|sts):[^:]*:[^:]*:(.+)$/.exec(arn)?.[1] ?? arn;
  if (resource === "root") return { name: "root", kind: "root" };
  const parts = resource.split("/");
  const type = parts[0];
  const last = parts[parts.length - 1] ?? resource;
  if (type === "user" && parts.length >= 2) return { name: last, kind: "IAM user" };
  if (type === "assumed-role" && parts.length >= 3) return { name: last, kind: "assumed role", role: parts[1] };
  if (type === "federated-user" && parts.length >= 2) return { name: last, kind: "federated user" };
  return { name: resource, kind: "principal" };
}

/** "root", "alice (IAM user)", "ci-run (assumed role deployer)". */
export function identityText(label: IdentityLabel): string {
  if (label.kind === "root") return "root";
  if (label.kind === "assumed role") return `${label.name} (assumed role${label.role ? ` ${label.role}` : ""})`;
  return `${label.name} (${label.kind})`;
}
