#!/bin/sh
# The installed package, used as an application would: install the build tree to a temporary
# prefix, then build docs/examples outside the source tree with find_package(opusim COMPONENTS sdk
# kernels io) and with pkg-config, and run the programs. They find the profiles installed beside
# the libraries (no OPUSIM_PROFILE_PATH), link only opusim's own libraries (its dependencies
# stay private; an SDK application loads no simulator library at all, and says so clearly when
# the device server is missing), and the installed opusim still works when the prefix is moved.
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
unset OPUSIM_PROFILE_PATH
test -f "$prefix/share/opusim/profiles/gen2.json"

# The shared libraries an application may see: opusim's own and the C/C++ runtime (and the
# sanitizer runtimes when EXTRA_FLAGS asks for them). Never SystemC, oneDNN, OpenBLAS or fmt.
check_needed() {
  program=$1
  unexpected=$(readelf -d "$program" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
               grep -Ev '^(libopusim_[a-z_]+\.so\.[0-9]+|libc\.so\.6|libstdc\+\+\.so\.6|libm\.so\.6|libgcc_s\.so\.1|libasan\.so\.[0-9]+|libubsan\.so\.[0-9]+)$' || true)
  if [ -n "$unexpected" ]; then
    echo "$program links libraries that should stay private to opusim: $unexpected"
    exit 1
  fi
}

# An application of the SDK alone loads, directly or through opusim's libraries, no simulator
# library: the simulated device runs in its own process (libexec/opusim/opusim-device).
check_no_simulator() {
  program=$1
  loaded=$(ldd "$program" | grep -E 'lib(systemc|dnnl|openblas|blas|opusim_physics|opusim_model)' || true)
  if [ -n "$loaded" ]; then
    echo "$program, an SDK application, loads simulator libraries: $loaded"
    exit 1
  fi
}

echo "== find_package(opusim COMPONENTS sdk kernels io)"
CFLAGS="$flags" CXXFLAGS="$flags" LDFLAGS="$flags" \
  cmake -S "$examples" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/cmake-build" -j2 > "$work/build.log"
for program in example_cpp example_c example_attention; do
  check_needed "$work/cmake-build/$program"
done
check_no_simulator "$work/cmake-build/example_cpp"
check_no_simulator "$work/cmake-build/example_c"
"$work/cmake-build/example_cpp" sim:gen2
"$work/cmake-build/example_c" "sim:gen3?seed=3"
"$work/cmake-build/example_attention" "sim:gen2?noise=off" "$work/attention.npy"

echo "== pkg-config opusim, opusim-kernels, opusim-io"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# Not in the loader's default path: the programs carry the prefix's libdir as their RUNPATH.
rpath="-Wl,-rpath,$(pkg-config --variable=libdir opusim)"
# shellcheck disable=SC2046
cc $flags -o "$work/example_c_pc" "$examples/example.c" $(pkg-config --cflags --libs opusim) "$rpath"
# shellcheck disable=SC2046
c++ -std=c++17 $flags -o "$work/example_cpp_pc" "$examples/example.cpp" \
    $(pkg-config --cflags --libs opusim) "$rpath"
# shellcheck disable=SC2046
c++ -std=c++17 $flags -o "$work/example_attention_pc" "$examples/attention.cpp" \
    $(pkg-config --cflags --libs opusim-kernels opusim-io) "$rpath"
for program in example_c_pc example_cpp_pc example_attention_pc; do
  check_needed "$work/$program"
done
"$work/example_c_pc"
"$work/example_cpp_pc" "sim:gen2?noise=off"
"$work/example_attention_pc" "sim:gen3" "$work/attention_pc.npy"

echo "== without the device server, a sim: device fails with an error naming it"
server="$prefix/libexec/opusim/opusim-device"
test -x "$server"
mv "$server" "$server.away"
if "$work/cmake-build/example_cpp" sim:gen2 > /dev/null 2> "$work/no-server.err"; then
  echo "a sim: device opened without its device server"
  exit 1
fi
grep -q "opusim-device" "$work/no-server.err" || {
  echo "the error does not name the device server:"; cat "$work/no-server.err"; exit 1; }
mv "$server.away" "$server"

echo "== the installed opusim finds its profiles beside its libraries, also after a move"
"$prefix/bin/opusim" info --device sim:gen3 > /dev/null
mv "$prefix" "$work/moved"
"$work/moved/bin/opusim" info --device sim:gen2 > /dev/null
if OPUSIM_PROFILE_PATH="$work/no-such-folder" "$work/moved/bin/opusim" info --device sim:gen2 \
     > /dev/null 2> "$work/override.err"; then
  echo "OPUSIM_PROFILE_PATH pointing at a missing folder was ignored"
  exit 1
fi
grep -q "OPUSIM_PROFILE_PATH" "$work/override.err" || {
  echo "the error does not name OPUSIM_PROFILE_PATH:"; cat "$work/override.err"; exit 1; }
echo "installed package ok"
