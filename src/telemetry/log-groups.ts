/** App Runner's log layout (developer guide, "App Runner log groups and streams"). */
export const serviceLogGroup = (name: string, id: string): string => `/aws/apprunner/${name}/${id}/service`;
export const applicationLogGroup = (name: string, id: string): string => `/aws/apprunner/${name}/${id}/application`;
export const EVENTS_STREAM = "events";
export const deploymentStream = (operationId: string): string => `deployment/${operationId}`;
export const instanceStream = (instanceId: string): string => `instance/${instanceId}`;
