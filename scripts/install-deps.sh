#!/usr/bin/env bash
# Installs what OpenRunner needs on a fresh Debian 12 machine, without building it (bootstrap.sh
# builds after this; npm test lints beside the build once this is done). Idempotent and quick
# when everything is already there: it only installs what is missing.
#   scripts/install-deps.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages OpenRunner uses: the AWS CLI v2 (tests and the README's examples), and the
# container runtime, networking, registry, image and data-plane tools the runtime needs
# (busybox-static: the static shell that records each instance's exit code inside its container;
# e2fsprogs: each instance's ephemeral storage is an ext4 image of its own).
# `--test` adds what only the tests need: chromium for the web console's browser tests,
# Debian's Docker (docker.io) for the Swarm driver's tests, which run private dockerds of their own,
# and pebble (the ACME test CA and its challenge test server, the "world's" DNS) with unbound (the
# recursive resolver following CNAMEs into OpenRunner's challenge zone) for the custom-domain and
# certificate tests, which run private instances of both on 127.0.0.1.
PACKAGES=(awscli runc haproxy nftables iproute2 skopeo umoci docker-registry buildah git mmdebstrap ca-certificates busybox-static e2fsprogs)
if [ "${1:-}" = "--test" ]; then PACKAGES+=(chromium docker.io pebble unbound); fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "openrunner: missing Debian packages: ${missing[*]} (run as root, or install them with apt-get)" >&2
    exit 1
  fi
  echo "openrunner: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # unbound's package would start (and enable) a system resolver on port 53: the tests only run
  # their own. A policy-rc.d refusing just unbound's services keeps it stopped; it is added only
  # when the host has none (a container's own one, refusing everything, stays as it is).
  policy=/usr/sbin/policy-rc.d
  if [[ " ${missing[*]} " == *" unbound "* ]] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# openrunner install-deps: keep unbound stopped while it is installed.\ncase "$1" in unbound*) exit 101 ;; esac\nexit 0\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [[ " ${missing[*]} " == *" unbound "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --quiet unbound.service unbound-resolvconf.service ||
      echo "openrunner: could not disable unbound's system service (the tests need none): systemctl disable --now unbound" >&2
  fi
fi

# npm dependencies, exactly as the lockfile pins them; reinstalled only when the lockfile changed.
stamp=node_modules/.openrunner-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "openrunner: installing npm dependencies"
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
