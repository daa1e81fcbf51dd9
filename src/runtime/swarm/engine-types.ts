/**
 * The few Engine API objects the Swarm driver reads and writes, as the daemon spells them
 * (API 1.41 and later; fields the driver does not use are left out).
 */

export interface ServicePort {
  Protocol: "tcp" | "udp";
  TargetPort: number;
  PublishedPort?: number;
  PublishMode: "host" | "ingress";
}

export interface ServiceSpec {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Args?: string[];
      Env: string[];
      Labels: Record<string, string>;
      /** Nanoseconds between SIGTERM and SIGKILL. */
      StopGracePeriod: number;
    };
    Resources: {
      Limits: { NanoCPUs: number; MemoryBytes: number };
      Reservations: { NanoCPUs: number; MemoryBytes: number };
    };
    RestartPolicy: { Condition: "none" | "on-failure" | "any"; Delay: number; MaxAttempts?: number };
    Placement: { Preferences: { Spread: { SpreadDescriptor: string } }[] };
    Networks: { Target: string }[];
  };
  Mode: { Replicated: { Replicas: number } };
  EndpointSpec: { Mode: "dnsrr" | "vip"; Ports: ServicePort[] };
}

/** GET /services answers. */
export interface SwarmService {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  Spec: ServiceSpec;
}

/** Swarm's task states; those of TERMINAL_TASK_STATES never change again. */
export type TaskState =
  | "new" | "allocated" | "pending" | "assigned" | "accepted" | "preparing" | "ready" | "starting" | "running"
  | "complete" | "shutdown" | "failed" | "rejected" | "remove" | "orphaned";

export const TERMINAL_TASK_STATES: ReadonlySet<string> = new Set(["complete", "shutdown", "failed", "rejected", "remove", "orphaned"]);

/** GET /tasks answers. */
export interface SwarmTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  CreatedAt: string;
  DesiredState: TaskState;
  Status: {
    Timestamp?: string;
    State: TaskState;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
    PortStatus?: { Ports?: ServicePort[] };
  };
}

/** GET /nodes answers. */
export interface SwarmNode {
  ID: string;
  Description?: { Hostname?: string };
  Status: { State: "unknown" | "down" | "ready" | "disconnected"; Addr?: string };
  /** Managers: `host:2377`; Status.Addr of a manager can be 0.0.0.0 when it listens on all addresses. */
  ManagerStatus?: { Addr?: string };
}

/** `filters` query parameter of the list endpoints. */
export const filters = (f: Record<string, string[]>): string => JSON.stringify(f);
