import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reusableLayers } from "./last-build.js";

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const manifest = (layers: [string, string][]): Buffer =>
  Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d("c"), size: 2 },
      layers: layers.map(([mediaType, digest]) => ({ mediaType, digest, size: 1 })),
    }),
  );

describe("the last build's layers a rebuild's push reuses", () => {
  it("only uncompressed ones (blob digest = diff_id, what buildah looks for): gzipped ones never match", () => {
    const tar = "application/vnd.oci.image.layer.v1.tar";
    const gz = "application/vnd.oci.image.layer.v1.tar+gzip";
    assert.deepEqual(reusableLayers(manifest([[tar, d("a")], [tar, d("b")], [gz, d("e")]])), [d("a"), d("b")]);
    // A build from before uncompressed writes: nothing to link, so the push writes dir: and the next one has layers to link.
    assert.deepEqual(reusableLayers(manifest([[gz, d("a")], [gz, d("b")]])), []);
  });
});
