import type { ReactNode } from "react";
import { ErrorBanner } from "../../components/Field";
import { Link } from "../../router";
import { ImagesTable } from "./ImagesTable";
import { LifecyclePolicyView } from "./LifecyclePolicyView";
import { NotServed } from "./NotServed";
import { PushCommands } from "./PushCommands";
import { RepositoryFacts } from "./RepositoryFacts";
import { useRepository } from "./useRepository";

/** One repository: its details, images, push commands and lifecycle policy. */
export function RepositoryPage({ name }: { name: string }): ReactNode {
  const answer = useRepository(name);
  const view = answer.data?.served ? answer.data.value : undefined;
  const missing = answer.data?.served === true && answer.data.value === undefined;
  return (
    <section aria-labelledby="repository-title">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/repositories">Repositories</Link> <span aria-hidden="true">›</span> {name}
      </nav>
      <h1 id="repository-title">{name}</h1>
      <ErrorBanner message={answer.error} />
      {answer.data && !answer.data.served && <NotServed />}
      {missing && (
        <>
          <ErrorBanner message={`The repository ${name} does not exist in this registry. It may have been deleted.`} />
          <Link to="/repositories">Back to repositories</Link>
        </>
      )}
      {!answer.data && !answer.error && <p className="loading">Loading…</p>}
      {view && (
        <>
          <section className="card" aria-label="Repository details">
            <RepositoryFacts repository={view.repository} />
          </section>
          <section className="card" aria-labelledby="images-title">
            <h2 id="images-title">
              Images <span className="count">({view.images.length})</span>
            </h2>
            <ImagesTable images={view.images} />
          </section>
          <PushCommands repository={view.repository} />
          <LifecyclePolicyView name={name} policy={view.policy} />
        </>
      )}
    </section>
  );
}
