#!/bin/sh
# Nothing of this machine's source or build tree is compiled into an installed file: install to a
# temporary prefix, then search every installed file (libraries, the opusim command, headers,
# CMake and pkg-config files) for the absolute source and build folders.
#   no_build_paths_test.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -eu
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
work=$3

rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"

# The search must be able to find a path: the build tree's own opusim has the build folder in its
# build RPATH (rewritten at install), so it is found there.
if ! grep -qF "$build" "$build/bin/opusim"; then
  echo "the search finds nothing even in the build tree's opusim: it would not see a leak"
  exit 1
fi

found=0
for folder in "$source" "$build"; do
  files=$(grep -rlF "$folder" "$prefix" || true)
  if [ -n "$files" ]; then
    echo "installed files containing $folder:"
    echo "$files"
    found=1
  fi
done
[ "$found" -eq 0 ] || exit 1
echo "no source or build path in the $(find "$prefix" -type f | wc -l) installed files"
