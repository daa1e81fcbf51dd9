import type { Service } from "@aws-sdk/client-apprunner";
import type { Wire } from "../protocol/wire.js";
import type { ResourceRow } from "../store/resources.js";
import type { AutoScalingSummaryDoc } from "./auto-scaling.js";

/** App Runner's Service, with the auto scaling summary's status in the case the service sends it. */
export type ServiceDoc = Omit<Wire<Service>, "AutoScalingConfigurationSummary"> & {
  AutoScalingConfigurationSummary?: AutoScalingSummaryDoc;
};

/** What OpenRunner keeps about a service beyond App Runner's API shape. */
export interface ServiceInternal {
  /** The deployment serving traffic (or that served before a pause); null before the first success. */
  currentDeploymentId: string | null;
  /** The image digest of that deployment: what ResumeService deploys again, what auto deployment compares with. */
  currentImageDigest?: string | null;
  /** For a source-code service, the commit that deployment built: what automatic deployment compares with. */
  currentCommit?: string | null;
}

export type ServiceRow = ResourceRow<ServiceDoc, ServiceInternal>;

export type ServiceStatus = NonNullable<Service["Status"]>;
