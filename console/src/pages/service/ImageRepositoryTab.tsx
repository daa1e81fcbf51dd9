import type { AppRunnerClient, Service } from "@aws-sdk/client-apprunner";
import type { ReactNode } from "react";
import { useClients } from "../../api/clients";
import { describeRepositories, ecrRead } from "../../api/ecr";
import { arnScope, isOwnEcrHost, registryHostOf, serviceImageSource, type ServiceImageSource } from "../../api/image-source";
import { ErrorBanner } from "../../components/Field";
import { usePolled } from "../../hooks";
import { Link } from "../../router";
import { ImagesTable } from "../repositories/ImagesTable";
import { NotServed } from "../repositories/NotServed";
import { repositoryPath } from "../repositories/paths";
import { RepositoryFacts } from "../repositories/RepositoryFacts";
import { loadRepositoryView, type RepositoryView } from "../repositories/useRepository";
import type { TabProps } from "./ServiceDashboard";

/** What the tab shows about where the service's image is kept. */
type Found =
  | { kind: "repository"; view: RepositoryView }
  | { kind: "missing"; name: string }
  | { kind: "outside"; host: string }
  | { kind: "none" };

/**
 * Whether the service's image is in the built-in registry, and which repository: an image
 * named with this account's ECR host, or with the host the registry's repository URIs carry
 * (127.0.0.1:8601 by default); a source-code service's build repository. Anything else is an
 * outside registry. The registry's host is learnt from its repositories, so a changed
 * `--registry-port` needs nothing here.
 */
async function findRepository(apprunner: AppRunnerClient, service: Service, source: ServiceImageSource): Promise<Found> {
  if (source.kind === "none") return { kind: "none" };
  if (source.kind === "build") {
    const view = await loadRepositoryView(apprunner, source.repositoryName);
    return view ? { kind: "repository", view } : { kind: "missing", name: source.repositoryName };
  }
  const { host, repositoryName } = source.reference;
  const ownEcr = isOwnEcrHost(host, arnScope(service.ServiceArn));
  const view = host ? await loadRepositoryView(apprunner, repositoryName) : undefined;
  if (view && (ownEcr || registryHostOf(view.repository.repositoryUri) === host)) return { kind: "repository", view };
  if (ownEcr) return { kind: "missing", name: repositoryName };
  // Not found by name: the image still names the built-in registry when its host is the one any repository is at.
  const any = view ? undefined : (await describeRepositories(apprunner))[0];
  if (any && registryHostOf(any.repositoryUri) === host) return { kind: "missing", name: repositoryName };
  return { kind: "outside", host: host ?? "docker.io" };
}

/** The service's image repository in the built-in registry, with its images. */
export function ImageRepositoryTab({ service }: TabProps): ReactNode {
  const { apprunner } = useClients();
  const source = serviceImageSource(service);
  const key = source.kind === "image" ? source.identifier : source.kind === "build" ? source.repositoryName : "none";
  const answer = usePolled(() => ecrRead(() => findRepository(apprunner, service, source)), `image-repository-${key}`, 5000);
  const found = answer.data?.served ? answer.data.value : undefined;
  const followedTag = source.kind === "image" ? source.reference.tag : undefined;
  return (
    <section aria-labelledby="image-repository-title">
      <h2 id="image-repository-title">Image repository</h2>
      <ErrorBanner message={answer.error} />
      {answer.data && !answer.data.served && <NotServed />}
      {!answer.data && !answer.error && <p className="loading">Loading…</p>}
      {found?.kind === "none" && <p className="hint">This service has no image source.</p>}
      {found?.kind === "outside" && (
        <p className="empty" data-testid="outside-registry">
          This service&apos;s image is kept in an outside registry, <code>{found.host}</code>, not in this server&apos;s built-in registry.
        </p>
      )}
      {found?.kind === "missing" && (
        <div className="empty" data-testid="missing-repository">
          <p>
            {source.kind === "build" ? (
              <>
                Builds of this service keep their images in the repository <code>{found.name}</code>, which has none yet.
              </>
            ) : (
              <>
                The repository <code>{found.name}</code> does not exist in the built-in registry: the service cannot pull its image until it is created and pushed to.
              </>
            )}
          </p>
        </div>
      )}
      {found?.kind === "repository" && (
        <>
          <div className="card">
            <RepositoryFacts
              repository={found.view.repository}
              extra={[["Repository", <Link key="repo" to={repositoryPath(found.view.repository.repositoryName)}>{found.view.repository.repositoryName}</Link>]]}
            />
          </div>
          <h3 className="section-title">
            Images <span className="count">({found.view.images.length})</span>
          </h3>
          <ImagesTable images={found.view.images} followedTag={followedTag} />
        </>
      )}
    </section>
  );
}
