#!/bin/sh
# The installed package, used as an application would: install the build tree to a temporary
# prefix, then build docs/examples (C and C++) outside the source tree with find_package(opusim)
# and with pkg-config, and run all four programs on the installed profiles.
#   install_test.sh BUILD_DIR EXAMPLES_DIR WORK_DIR [EXTRA_FLAGS]
set -eu
build=$1
examples=$2
work=$3
flags=${4:-}

rm -rf "$work"
mkdir -p "$work/locks"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"

export OPUSIM_LOCK_DIR="$work/locks"
# The installed profiles, not the source tree's.
export OPUSIM_PROFILE_PATH="$prefix/share/opusim/profiles"
test -f "$OPUSIM_PROFILE_PATH/gen2.json"

echo "== find_package(opusim)"
CFLAGS="$flags" CXXFLAGS="$flags" LDFLAGS="$flags" \
  cmake -S "$examples" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/cmake-build" -j2 > "$work/build.log"
"$work/cmake-build/example_cpp" sim:gen2
"$work/cmake-build/example_c" "sim:gen3?seed=3"

echo "== pkg-config opusim"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046
cc $flags -o "$work/example_c_pc" "$examples/example.c" $(pkg-config --cflags --libs opusim)
# shellcheck disable=SC2046
c++ -std=c++17 $flags -o "$work/example_cpp_pc" "$examples/example.cpp" $(pkg-config --cflags --libs opusim)
"$work/example_c_pc"
"$work/example_cpp_pc" "sim:gen2?noise=off"

echo "== the installed opusim finds its profiles beside it"
env -u OPUSIM_PROFILE_PATH "$prefix/bin/opusim" info --device sim:gen3 > /dev/null
echo "installed package ok"
