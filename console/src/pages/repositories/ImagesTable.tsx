import type { ReactNode } from "react";
import type { ImageDetail } from "../../api/ecr";
import { formatSize, shortDigest } from "../../api/image-source";
import { formatTime } from "../../hooks";

/**
 * A repository's images as ECR's console lists them: tags, digest, size, pushed at; newest
 * first. `followedTag` marks the image a service's ImageIdentifier names.
 */
export function ImagesTable({ images, followedTag }: { images: ImageDetail[]; followedTag?: string }): ReactNode {
  if (images.length === 0) {
    return <p className="empty">No images in this repository yet.</p>;
  }
  return (
    <div className="table-wrap">
      <table aria-label="Images">
        <thead>
          <tr>
            <th scope="col">Image tags</th>
            <th scope="col">Image digest</th>
            <th scope="col">Size</th>
            <th scope="col">Pushed at</th>
          </tr>
        </thead>
        <tbody>
          {images.map((i) => (
            <tr key={i.imageDigest} data-image={i.imageDigest}>
              <td data-label="Image tags">
                {i.imageTags.length === 0 ? (
                  <span className="muted">untagged</span>
                ) : (
                  <ul className="tags">
                    {i.imageTags.map((t) => (
                      <li key={t}>
                        <code>{t}</code>
                        {t === followedTag && <span className="chip">this service</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td data-label="Image digest">
                <code title={i.imageDigest}>{shortDigest(i.imageDigest)}</code>
              </td>
              <td data-label="Size">{formatSize(i.imageSizeInBytes)}</td>
              <td data-label="Pushed at">{formatTime(i.imagePushedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
