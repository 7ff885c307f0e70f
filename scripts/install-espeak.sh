#!/usr/bin/env bash
# Installs Debian's espeak-ng, which synthesises the test recordings of the tone analysis
# (flat and varied voices at several pitches and speeds). Needs root (as on CI and the dev machines).
set -euo pipefail
if command -v espeak-ng >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "Tone tests and bench need Debian's espeak-ng: run 'sudo apt-get install -y espeak-ng'." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq espeak-ng >/dev/null
espeak-ng --version
