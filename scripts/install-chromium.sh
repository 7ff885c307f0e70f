#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests. Needs root (as on CI and the dev machines).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Browser tests need Debian's chromium: run 'sudo apt-get install -y chromium'." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
chromium --version
