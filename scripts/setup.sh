#!/usr/bin/env bash
# Installs every Debian package dataopt needs. Idempotent: when everything is
# already installed it only checks (a few seconds) and touches nothing.
set -euo pipefail

PACKAGES=(
  # tool chain and build
  build-essential cmake ninja-build ccache pkg-config git clang-format
  # LibTorch (CPU) and a fast BLAS for it: without OpenBLAS LibTorch's matrix
  # products fall back to the reference BLAS, about 25x slower.
  libtorch-dev libopenblas0-openmp
  # data
  dataset-fashion-mnist zlib1g-dev
  # libraries
  nlohmann-json3-dev libcli11-dev libeigen3-dev libgeographiclib-dev
  # mixup: Boykov-Kolmogorov max-flow for the Puzzle Mix / Co-Mixup graph cuts
  libmaxflow-dev
  # the viewer (`dataopt view`): HTTP server, and its browser test
  libcpp-httplib-dev chromium nodejs
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# npm for the viewer's browser test: Debian's package, unless an npm is already
# on PATH (NodeSource's nodejs ships its own and conflicts with Debian's).
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
