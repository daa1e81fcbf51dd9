import type { ReactNode } from "react";
import { humanMutability, type Repository } from "../../api/ecr";
import { CopyButton } from "../../components/CopyButton";
import { Facts } from "../../components/Facts";
import { formatTime } from "../../hooks";

/** A repository's URI (with a copy button), ARN, tag immutability and creation time. */
export function RepositoryFacts({ repository: r, extra = [] }: { repository: Repository; extra?: [string, ReactNode][] }): ReactNode {
  const facts: [string, ReactNode][] = [
    ...extra,
    [
      "URI",
      <span key="uri">
        <code className="wrap">{r.repositoryUri}</code> <CopyButton text={r.repositoryUri} label="repository URI" />
      </span>,
    ],
    ["ARN", <code key="arn" className="wrap">{r.repositoryArn}</code>],
    ["Tag immutability", humanMutability(r.imageTagMutability)],
    ["Created at", formatTime(r.createdAt)],
  ];
  return <Facts facts={facts} />;
}
