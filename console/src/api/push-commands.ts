/** The clients ECR's "View push commands" is written for, plus the daemonless ones Debian ships. */
export const PUSH_TOOLS = ["Docker", "Podman", "Skopeo"] as const;
export type PushTool = (typeof PUSH_TOOLS)[number];

export interface PushStep {
  title: string;
  command: string;
}

export interface PushTarget {
  /** ECR's repositoryUri: `<registry>/<name>`. */
  repositoryUri: string;
  repositoryName: string;
  /** The endpoint the AWS CLI talks to (this console's origin) and its region. */
  endpoint: string;
  region: string;
}

/**
 * ECR's push commands for one repository, against this endpoint: log in with
 * `aws ecr get-login-password`, build, tag, push. The built-in registry listens on loopback
 * without TLS, which Docker allows for 127.0.0.0/8 by itself and Podman and Skopeo are told.
 */
export function pushCommands(tool: PushTool, t: PushTarget): PushStep[] {
  const registry = t.repositoryUri.split("/")[0] ?? t.repositoryUri;
  const local = t.repositoryName.split("/").pop() ?? t.repositoryName;
  const password = `aws --profile openrunner --endpoint-url ${t.endpoint} ecr get-login-password --region ${t.region}`;
  const image = `${t.repositoryUri}:latest`;
  const login: PushStep = { title: "Retrieve an authentication token and log in to the registry with it", command: "" };
  switch (tool) {
    case "Docker":
      return [
        { ...login, command: `${password} | docker login --username AWS --password-stdin ${registry}` },
        { title: "Build your image (skip this step if it is built already)", command: `docker build -t ${local} .` },
        { title: "Tag it for this repository", command: `docker tag ${local}:latest ${image}` },
        { title: "Push it", command: `docker push ${image}` },
      ];
    case "Podman":
      return [
        { ...login, command: `${password} | podman login -u AWS --password-stdin --tls-verify=false ${registry}` },
        { title: "Build your image (skip this step if it is built already)", command: `podman build -t ${local} .` },
        { title: "Tag it for this repository", command: `podman tag ${local}:latest ${image}` },
        { title: "Push it", command: `podman push --tls-verify=false ${image}` },
      ];
    case "Skopeo":
      return [
        { ...login, command: `${password} | skopeo login -u AWS --password-stdin --tls-verify=false ${registry}` },
        { title: "Copy an image archive (or any registry's image) into this repository", command: `skopeo copy --dest-tls-verify=false oci-archive:${local}.tar docker://${image}` },
      ];
  }
}
