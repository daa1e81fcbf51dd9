import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { registriesFromConfig, unreachableRegistry } from "./registries.js";
import { isLocalRegistryHost } from "./local-hosts.js";
import { authJson, baseImageOfDockerfile, budArgs, globalArgs, pushArgs, registriesConf, registriesOfDockerfile, registryOf, remoteAdds } from "./buildah-args.js";

describe("buildah command lines and files", () => {
  it("global flags: overlay storage in the service's cache, the build's own registries.conf", () => {
    assert.deepEqual(globalArgs({ storageRoot: "/b/cache/storage", runRoot: "/b/work/run", registriesConf: "/b/work/r.conf", registriesDir: "/b/work/r.d" }), [
      "--root", "/b/cache/storage", "--runroot", "/b/work/run", "--storage-driver", "overlay", "--registries-conf", "/b/work/r.conf", "--registries-conf-dir", "/b/work/r.d",
    ]);
  });

  it("bud: the sandbox's network namespace, runc, the layer cache, limits that need no CAP_SYS_RESOURCE", () => {
    const args = budArgs({
      contextDir: "/b/context",
      dockerfile: "/b/context/docker/App.Dockerfile",
      target: "runtime",
      buildArgs: { BASE: "127.0.0.1:5000/node:18", EMPTY: "" },
      iidFile: "/b/work/iid",
      netns: "/proc/42/ns/net",
      dns: ["100.64.0.1"],
      nofile: 20000,
      nproc: 32768,
      authFile: "/b/work/auth.json",
      caBundle: "/etc/ssl/certs/ca-certificates.crt",
    });
    assert.deepEqual(args, [
      "bud", "--isolation", "oci", "--layers", "--network", "/proc/42/ns/net", "--dns", "100.64.0.1", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768",
      "--iidfile", "/b/work/iid", "-f", "/b/context/docker/App.Dockerfile", "--target", "runtime",
      "--build-arg", "BASE=127.0.0.1:5000/node:18", "--build-arg", "EMPTY=",
      "--authfile", "/b/work/auth.json", "--volume", "/etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro", "/b/context",
    ]);
    const minimal = budArgs({ contextDir: "/c", dockerfile: "/c/Dockerfile", buildArgs: {}, iidFile: "/i", netns: "/n", dns: [], nofile: 1024, nproc: 100 });
    for (const flag of ["--target", "--build-arg", "--authfile", "--volume", "--dns"]) assert.ok(!minimal.includes(flag), flag);
  });

  it("push: uncompressed layers with an OCI manifest, in the dir: format (buildah's oci: destination gzips regardless)", () => {
    assert.deepEqual(pushArgs("abc", { dir: "/b/work/out" }), ["push", "--disable-compression", "--format", "oci", "abc", "dir:/b/work/out"]);
    // With the last build's layers linked into a layout, its oci: destination reuses them.
    assert.deepEqual(pushArgs("abc", { layout: "/b/work/layout", tag: "0123456789ab" }), ["push", "--disable-compression", "--format", "oci", "abc", "oci:/b/work/layout:0123456789ab"]);
  });

  it("registries.conf lists plain-HTTP registries as insecure, short names go to Docker Hub", () => {
    const text = registriesConf([{ host: "127.0.0.1:8601", insecure: true }, { host: "registry.example.com", insecure: false }]);
    assert.match(text, /^unqualified-search-registries = \["docker\.io"\]$/m);
    assert.match(text, /\[\[registry\]\]\nlocation = "127\.0\.0\.1:8601"\ninsecure = true/);
    assert.doesNotMatch(text, /registry\.example\.com/);
    const moved = registriesConf([{ host: "123456789012.dkr.ecr.us-east-1.amazonaws.com", location: "127.0.0.1:8601", insecure: true }]);
    assert.match(moved, /\[\[registry\]\]\nprefix = "123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com"\nlocation = "127\.0\.0\.1:8601"\ninsecure = true/);
  });

  it("auth file: base64 user:password per host", () => {
    const json = JSON.parse(authJson(new Map([["127.0.0.1:8601", { username: "AWS", password: "p:w" }]]))) as { auths: Record<string, { auth: string }> };
    assert.equal(Buffer.from(json.auths["127.0.0.1:8601"]?.auth ?? "", "base64").toString(), "AWS:p:w");
  });

  const refs: Array<[string, string]> = [
    ["node:18", "docker.io"],
    ["library/node", "docker.io"],
    ["team/app:1", "docker.io"],
    ["localhost/app", "localhost"],
    ["127.0.0.1:8601/app:1", "127.0.0.1:8601"],
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:00", "123456789012.dkr.ecr.us-east-1.amazonaws.com"],
  ];
  for (const [ref, want] of refs) it(`registryOf ${ref}`, () => assert.equal(registryOf(ref), want));

  it("the registries a Dockerfile pulls from: ARG defaults and build arguments, no stages, no scratch", () => {
    const text = [
      "# syntax=docker/dockerfile:1",
      "ARG BASE=127.0.0.1:5000/node:18",
      "ARG TOOLS",
      "FROM ${BASE} AS build",
      "RUN npm ci \\",
      "  && npm run build",
      "FROM --platform=linux/amd64 $TOOLS AS tools",
      "FROM build AS test",
      "FROM scratch",
      "COPY --from=build /out /",
      "",
    ].join("\n");
    assert.deepEqual(registriesOfDockerfile(text, { TOOLS: "127.0.0.1:8601/tools:1" }), ["127.0.0.1:5000", "127.0.0.1:8601"]);
    assert.deepEqual(registriesOfDockerfile(text, { BASE: "node:18", TOOLS: "ghcr.io/x/y" }), ["docker.io", "ghcr.io"]);
  });

  it("COPY --from=<image> pulls that image's registry too; a stage's name or index does not", () => {
    const text = ["FROM 127.0.0.1:8601/node:18 AS build", "COPY --from=build /a /a", "COPY --from=0 /b /b", "COPY --chown=1:1 --from=10.0.0.5:5000/tools:1 /c /c", "COPY --from=${T} /d /d", ""].join("\n");
    assert.deepEqual(registriesOfDockerfile(text, {}), ["127.0.0.1:8601", "10.0.0.5:5000"]);
  });

  const localHosts: [string, boolean][] = [
    ["127.0.0.1:8600", true],
    ["127.202.0.1", true],
    ["localhost:5000", true],
    ["registry.localhost", true],
    ["0.0.0.0:80", true],
    ["10.1.2.3:5000", true],
    ["100.64.0.1", true],
    ["100.128.0.1", false],
    ["169.254.169.254", true],
    ["172.16.0.1", true],
    ["172.32.0.1", false],
    ["192.168.1.10:5000", true],
    ["[::1]:5000", true],
    ["[fe80::1]", true],
    ["[fd00::1]:443", true],
    ["[2001:db8::1]", false],
    ["docker.io", false],
    ["ghcr.io", false],
    ["8.8.8.8", false],
    ["123456789012.dkr.ecr.us-east-1.amazonaws.com", false],
  ];
  for (const [host, local] of localHosts) it(`isLocalRegistryHost ${host} -> ${String(local)}`, () => assert.equal(isLocalRegistryHost(host), local));

  it("builds reach local registries only when they are the built-in one or the operator listed them", () => {
    const ecrHost = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    const r = registriesFromConfig(
      { registries: { "10.0.0.5:5000": { insecure: true } }, mirrors: { "192.168.1.2:5000": "127.0.0.1:5000" } },
      { address: "127.0.0.1:8601", isBuiltIn: (h) => h === "127.0.0.1:8601" || h === ecrHost, password: () => "pw" },
    );
    assert.equal(unreachableRegistry(["docker.io", ecrHost, "127.0.0.1:8601", "10.0.0.5:5000", "192.168.1.2:5000"], r), undefined);
    assert.match(unreachableRegistry(["docker.io", "127.0.0.1:8600"], r) ?? "", /names an image in 127\.0\.0\.1:8600, an address of this machine or of a private network/);
    assert.match(unreachableRegistry(["127.0.0.1:8601"], undefined) ?? "", /127\.0\.0\.1:8601/, "without the hooks, every local registry is refused");
    assert.equal(unreachableRegistry(["ghcr.io"], undefined), undefined);
  });

  it("the operator's registries.json: basic credentials per host, insecure flags, loopback plain HTTP by default", () => {
    const r = registriesFromConfig({
      registries: { "reg.example.com": { username: "u", password: "p" }, "127.0.0.1:9000": { insecure: false }, "tok.example.com": { token: "t" } },
      mirrors: { "docker.io": "127.0.0.1:5000" },
    });
    assert.equal(r.location?.("docker.io"), "127.0.0.1:5000");
    assert.equal(r.location?.("reg.example.com"), undefined);
    assert.deepEqual(r.credentials?.("reg.example.com"), { username: "u", password: "p" });
    assert.equal(r.credentials?.("tok.example.com"), undefined);
    assert.equal(r.credentials?.("docker.io"), undefined);
    assert.equal(r.insecure?.("127.0.0.1:9000"), false);
    assert.equal(r.insecure?.("127.0.0.1:8601"), true);
    assert.equal(r.insecure?.("reg.example.com"), false);
  });

  it("the built-in registry under either name: its address contacted, a login issued for the build", () => {
    let issued = 0;
    const ecrHost = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    const r = registriesFromConfig(
      { registries: {}, mirrors: { [ecrHost]: "127.0.0.1:5000" } },
      { address: "127.0.0.1:8601", isBuiltIn: (h) => h === "127.0.0.1:8601" || h === ecrHost, password: () => `pw${++issued}` },
    );
    assert.equal(r.location?.(ecrHost), "127.0.0.1:8601", "the built-in registry wins over an older mirror of the same name");
    assert.equal(r.location?.("127.0.0.1:8601"), undefined);
    assert.deepEqual(r.credentials?.(ecrHost), { username: "AWS", password: "pw1" });
    assert.deepEqual(r.credentials?.("127.0.0.1:8601"), { username: "AWS", password: "pw2" });
    assert.equal(r.credentials?.("127.0.0.1:5000"), undefined);
    assert.equal(r.insecure?.("127.0.0.1:8601"), true);
  });

  it("ADD of a URL is found (buildah would download it outside the sandbox); local ADD and COPY are not", () => {
    const text = [
      "FROM scratch",
      "ADD app.tar.gz /app/",
      "COPY http.txt /",
      "ADD --chown=1:1 https://example.com/x.tgz /x",
      "add \\",
      "  http://127.0.0.1:8600/ /cp",
      "RUN echo ADD http://not-an-instruction",
      "",
    ].join("\n");
    assert.deepEqual(remoteAdds(text), ["ADD --chown=1:1 https://example.com/x.tgz /x", "add  http://127.0.0.1:8600/ /cp"]);
  });

  it("the base of the built image: the last stage's FROM (or the target's), through stage names and ARGs; none for scratch", () => {
    const df = ["ARG BASE=node:18", "FROM ${BASE} AS deps", "RUN x", "FROM --platform=linux/amd64 deps AS build", "FROM 127.0.0.1:5000/alpine:3 AS tools", "FROM build", "CMD [\"x\"]"].join("\n");
    const cases: [string, Record<string, string>, string | undefined, string | undefined][] = [
      [df, {}, undefined, "node:18"],
      [df, { BASE: "127.0.0.1:5000/node:20" }, undefined, "127.0.0.1:5000/node:20"],
      [df, {}, "tools", "127.0.0.1:5000/alpine:3"],
      [df, {}, "Build", "node:18"],
      [df, {}, "nope", undefined],
      ["FROM scratch\nCOPY x /", {}, undefined, undefined],
      ["FROM node:18 AS a\nFROM a AS b\nFROM scratch AS c\nFROM c", {}, undefined, undefined],
      ["ARG UNSET\nFROM ${UNSET}", {}, undefined, undefined],
      ["FROM 111122223333.dkr.ecr.us-east-1.amazonaws.com/node:18 AS build\nRUN x\n\nFROM 111122223333.dkr.ecr.us-east-1.amazonaws.com/node:18\nCOPY --from=build /a /a", {}, undefined, "111122223333.dkr.ecr.us-east-1.amazonaws.com/node:18"],
      // A later stage's name is no stage yet: an image of that name.
      ["FROM app\nFROM busybox AS app", {}, "app", "busybox"],
    ];
    for (const [text, args, target, want] of cases) assert.equal(baseImageOfDockerfile(text, args, target), want, `${text} (target ${target ?? "last"})`);
  });
});
