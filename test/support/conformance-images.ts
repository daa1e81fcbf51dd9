/** The driver conformance suite's images (src/runtime/conformance.ts), pushed once each to a test registry. */
import type { ConformanceImage } from "../../src/runtime/conformance.js";
import type { DeploymentImage } from "../../src/runtime/driver.js";
import { pushCrashingApp, pushHelloApp } from "./app-images.js";
import { buildAndPushImage, type PushedImage } from "./oci-image.js";

function push(registry: string, kind: ConformanceImage, tag: string, version: string): Promise<PushedImage> {
  if (kind === "hello") return pushHelloApp(registry, "conformance/hello", tag, version);
  if (kind === "crash") return pushCrashingApp(registry, "conformance/crash", tag);
  return buildAndPushImage(registry, "conformance/silent", tag, { busybox: true, cmd: ["/bin/sh", "-c", "sleep 1000"] });
}

/**
 * The harness's `image()`: pushes each kind (and version of "hello") once, then `resolve`s it
 * from its tagged identifier as the engine's artifact phase does for the driver under test.
 */
export function conformanceImages(
  registry: string,
  resolve: (identifier: string, pushed: PushedImage) => Promise<DeploymentImage>,
): (kind: ConformanceImage, version?: string) => Promise<DeploymentImage> {
  const pushed = new Map<string, Promise<DeploymentImage>>();
  return (kind, version = "v1") => {
    const tag = kind === "hello" ? version : kind;
    const key = `${kind}:${tag}`;
    let p = pushed.get(key);
    if (!p) {
      p = push(registry, kind, tag, version).then((img) => resolve(`${registry}/conformance/${kind}:${tag}`, img));
      pushed.set(key, p);
    }
    return p;
  };
}
