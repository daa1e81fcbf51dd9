import type { IdentityPolicySource } from "./identity-policies.js";

/**
 * The source for a server without an IAM store: no identity policy applies to anyone, so every
 * principal but the account's root (which policies never bind) is refused everything.
 */
export const NO_IDENTITY_POLICIES: IdentityPolicySource = {
  policiesOf: () => [],
  principalTags: () => ({}),
  revision: () => 0,
};
