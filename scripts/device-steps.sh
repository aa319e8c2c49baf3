#!/usr/bin/env bash
# Issue 13's step numbers on a lent GPU machine in one command: the engine's compiled WebGPU step
# (bench/webgpu-steps.ts: MLP at batch 64 and 256, CNN at 64, wall and host ms per step) and PyTorch's same
# steps on CUDA (bench/reference/steps.py), one after the other on the same GPU.
#
# That machine has the NVIDIA driver and PyTorch but no Node.js and no Vulkan loader, and reaches no network
# (../shared/gpu/DEVICE.md), so `pack` (here) puts what the bench needs into .device/payload.tar.xz: this
# machine's node binary, the bench bundled into one file (esbuild), Dawn's Node binding (the `webgpu` package,
# linux-x64 only) and Debian's libvulkan1. `run` (there) unpacks it and runs both benches.
#
#   scripts/device-steps.sh pack
#   then, with the device tool:  run(command="bash scripts/device-steps.sh run", carry=[".device"])
#
# `run` writes webgpu.json and torch.json under $OUT (or .device/out) and prints both.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=.device

pack() {
  rm -rf "$DIR" && mkdir -p "$DIR/stage/node_modules/webgpu/dist" "$DIR/apt/partial"
  npx esbuild bench/webgpu-steps.ts --bundle --platform=node --format=esm --target=node20 \
    --external:webgpu --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
    --banner:js="import { createRequire as packedRequire } from 'node:module'; const require = packedRequire(import.meta.url);" \
    --outfile="$DIR/stage/webgpu-steps.mjs" --log-level=warning
  cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$DIR/stage/node_modules/webgpu/"
  # The backend provider reports the tfjs package's version from its package.json.
  mkdir -p "$DIR/stage/node_modules/@tensorflow/tfjs-backend-webgpu"
  cp node_modules/@tensorflow/tfjs-backend-webgpu/package.json "$DIR/stage/node_modules/@tensorflow/tfjs-backend-webgpu/"
  cp -r node_modules/webgpu/dist/linux-x64 "$DIR/stage/node_modules/webgpu/dist/"
  cp "$(command -v node)" "$DIR/stage/node"
  # The Vulkan loader the device image lacks (its NVIDIA driver brings the ICD): Debian's package for amd64.
  local apt=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$PWD/$DIR/apt" -oDebug::NoLocking=1)
  apt-get "${apt[@]}" update -qq
  (cd "$DIR/stage" && apt-get "${apt[@]}" download libvulkan1 >/dev/null)
  tar -C "$DIR/stage" -cJf "$DIR/payload.tar.xz" .
  rm -rf "$DIR/stage" "$DIR/apt"
  echo "packed $(du -h "$DIR/payload.tar.xz" | cut -f1) into $DIR/payload.tar.xz (the device tool carries at most 64 MiB)"
}

run() {
  local out="${OUT:-$DIR/out}" work
  mkdir -p "$out"
  work="$(mktemp -d)"
  tar -C "$work" -xJf "$DIR/payload.tar.xz"
  # Without root (a developer's own GPU machine) the system's Vulkan loader is used instead.
  if [ "$(id -u)" = 0 ]; then for f in "$work"/libvulkan1_*.deb; do dpkg -x "$f" /; done; ldconfig; fi
  export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
  (cd "$work" && ./node webgpu-steps.mjs --json) | tail -n 1 > "$out/webgpu.json"
  echo "webgpu (ms per step, host ms per step): $(cat "$out/webgpu.json")"
  if python3 -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    python3 bench/reference/steps.py 5 40 cuda | tail -n 1 > "$out/torch.json"
    echo "PyTorch on CUDA (ms per step): $(cat "$out/torch.json")"
  else
    echo "PyTorch on CUDA: no python3 here has a PyTorch that sees a CUDA GPU"
  fi
  rm -rf "$work"
}

case "${1:-}" in
  pack) pack ;;
  run) run ;;
  *) echo "usage: $0 pack|run (pack here, run on the GPU machine; see the top of this file)" >&2; exit 2 ;;
esac
