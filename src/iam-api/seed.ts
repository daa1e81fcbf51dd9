import { iamUniqueId } from "../store/iam/ids.js";
import type { IamDeps } from "./context.js";
import { AWS_MANAGED_POLICIES } from "./managed-policy-documents.js";
import { awsManagedPolicyArn } from "./names.js";
import { createAppRunnerServiceLinkedRole } from "./service-linked-role.js";

/** Set once the service-linked role was made: a user who deletes it gets it back from CreateServiceLinkedRole, not from a restart. */
const SERVICE_LINKED_ROLE_SEEDED = "iam.serviceLinkedRoleSeeded";

/**
 * Every start: AWS's managed policies exist with the documents this version ships (a changed
 * document replaces v1's, which is the only version AWS managed policies have here), and on
 * the first start App Runner's service-linked role. Idempotent, one transaction.
 */
export function seedIam(deps: IamDeps): void {
  const { store } = deps;
  store.tx(() => {
    const now = deps.clock.now();
    for (const p of AWS_MANAGED_POLICIES) {
      const arn = awsManagedPolicyArn(p.path, p.name);
      const document = JSON.stringify(p.document, null, 4);
      const existing = store.iam.policies.get(arn);
      if (!existing) {
        store.iam.policies.insert(
          { arn, id: iamUniqueId(deps.random, "ANPA"), name: p.name, path: p.path, awsManaged: true, description: p.description, defaultVersion: "v1", nextVersion: 2, createdAt: now, updatedAt: now },
          document,
        );
      } else if (store.iam.policies.version(arn, "v1")?.document !== document) {
        store.iam.policies.putVersion(arn, { versionId: "v1", document, createdAt: existing.createdAt });
      }
    }
    if (store.meta.get(SERVICE_LINKED_ROLE_SEEDED) === undefined) {
      createAppRunnerServiceLinkedRole(deps);
      store.meta.set(SERVICE_LINKED_ROLE_SEEDED, String(now));
    }
  });
}
