import { AppRunnerError } from "../../src/errors/app-runner-error.js";
import { accessDeniedMessage } from "../../src/iam/authorization.js";
import type { Principal } from "../../src/iam/principal.js";
import type { ModuleFactory } from "../../src/modules.js";

/**
 * A FAKE of the authorizer's refusals, for the console's tests only, until the
 * policy-evaluating authorizer (src/iam/authorizer.ts, issue 17) is merged: a module whose gate
 * refuses the actions in `denied` ("apprunner:CreateService") with AccessDenied in the
 * authorizer's own words for `principal`, through the server's real error path (403,
 * AccessDeniedException). The gate does not see who signed, so it refuses those actions to
 * every caller: deny only while the person the test signs in is the one calling. With the real
 * authorizer, the console tests' real-API describe does the same with policies.
 */
export class FakeDenials {
  readonly denied = new Set<string>();

  constructor(private readonly principal: () => Principal) {}

  readonly module: ModuleFactory = () => ({
    name: "fake-denials",
    admitApiCall: ({ api, operation }) => {
      const action = `${api.authorization?.actionPrefix ?? api.signingName}:${operation}`;
      if (this.denied.has(action)) throw new AppRunnerError("AccessDenied", accessDeniedMessage(this.principal(), action, "*", false));
    },
  });
}
