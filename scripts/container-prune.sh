#!/bin/sh
# Trims production node_modules for the image (Dockerfile, build stage, after `npm prune
# --omit=dev`): removes what this platform never loads, nothing that it does. The smoke test
# (tests/container/image.test.ts) loads every native runtime in the image afterwards.
#
#   sh scripts/container-prune.sh node_modules
set -eu
cd "${1:?usage: container-prune.sh NODE_MODULES_DIR}"
arch="$(node -p process.arch)"
before="$(du -sk . | cut -f1)"

# onnxruntime-node ships its runtime for every OS and CPU (darwin, win32, linux arm64 and x64):
# keep bin/napi-v*/linux/<arch>, the one it loads here.
for dir in onnxruntime-node/bin/napi-v*/*; do
  [ -d "$dir" ] || continue
  case "${dir##*/}" in linux) ;; *) rm -rf "$dir" ;; esac
done
for dir in onnxruntime-node/bin/napi-v*/linux/*; do
  [ -d "$dir" ] || continue
  [ "${dir##*/}" = "$arch" ] || rm -rf "$dir"
done

# node-gyp-build prebuilds for other platforms (prebuilds/<platform>-<arch>[…]).
find . -type d -name prebuilds -prune | while read -r prebuilds; do
  for dir in "$prebuilds"/*; do
    [ -e "$dir" ] || continue
    case "${dir##*/}" in "linux-$arch"*) ;; *) rm -rf "$dir" ;; esac
  done
done

# Native addons (a folder with binding.gyp): once compiled, their C/C++ sources and node-gyp's
# intermediates (objects, static libraries, makefiles) serve only to compile again; the linked
# *.node files in build/ stay.
find . -name binding.gyp | while read -r gyp; do
  addon="${gyp%/binding.gyp}"
  find "$addon" -type f \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' -o -name '*.cxx' \
    -o -name '*.h' -o -name '*.hh' -o -name '*.hpp' -o -name '*.o' -o -name '*.a' \) -delete
  if [ -d "$addon/build" ]; then
    find "$addon/build" -type f ! -name '*.node' -delete
    find "$addon/build" -type d -empty -delete
  fi
done

# Source maps: read only by debuggers and --enable-source-maps, never to run.
find . -type f -name '*.map' -delete

after="$(du -sk . | cut -f1)"
echo "container-prune: node_modules $((before / 1024)) MiB -> $((after / 1024)) MiB"
