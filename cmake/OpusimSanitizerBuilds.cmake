# The sanitizer builds beyond OPUSIM_SANITIZE (address + undefined, cmake/OpusimWarnings.cmake):
#
# OPUSIM_FUZZ (preset `fuzz`, clang only): every target compiled with libFuzzer's coverage
#   instrumentation and address + undefined sanitizers; the harnesses of tests/fuzz link libFuzzer's
#   main (-fsanitize=fuzzer) and CTest runs each for OPUSIM_FUZZ_SECONDS.
# OPUSIM_TSAN (preset `tsan`): the thread sanitizer on the host side only (driver, SDK, kernels,
#   command, tests), switched on by opusim_host_side_sanitizers() in the top-level CMakeLists after
#   the simulator's folders. Why not the device side: SystemC runs its threads as coroutines on
#   stacks it switches itself, which ThreadSanitizer cannot follow (it reports nonsense or crashes),
#   and a library built with -fsanitize=thread pulls the TSan runtime into every process that loads
#   it. The device server (opusim-device) and the libraries it loads (contract, physics, model) are
#   therefore built without TSan; it runs in a process of its own (one per open device), so the
#   threads under test, all in the host process, are fully instrumented, and the server process
#   never loads the TSan runtime. Host code calling the uninstrumented contract or physics is still
#   checked on its own accesses.
# OPUSIM_TEST_LAYERS: the test folders built (tests/CMakeLists.txt); the tsan and fuzz presets
#   build only the tests they run, to keep those builds short.
option(OPUSIM_FUZZ "Build the libFuzzer harnesses for fuzzing (clang; the fuzz preset)" OFF)
option(OPUSIM_TSAN "Thread sanitizer on the host-side code (the tsan preset)" OFF)
set(OPUSIM_FUZZ_SECONDS 25 CACHE STRING "Seconds CTest fuzzes each harness in an OPUSIM_FUZZ build")
set(OPUSIM_TEST_LAYERS "layering;io;contract;physics;model;driver;sdk;kernels;cli;bench;fuzz"
    CACHE STRING "Test folders under tests/ to build")

if(OPUSIM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "OPUSIM_FUZZ needs clang (libFuzzer): configure with the fuzz preset")
  endif()
  if(OPUSIM_SANITIZE OR OPUSIM_TSAN)
    message(FATAL_ERROR "OPUSIM_FUZZ brings its own sanitizers: leave OPUSIM_SANITIZE and OPUSIM_TSAN off")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
if(OPUSIM_TSAN AND OPUSIM_SANITIZE)
  message(FATAL_ERROR "OPUSIM_TSAN and OPUSIM_SANITIZE cannot be combined (one sanitizer runtime per process)")
endif()

# Called in the top-level CMakeLists after the contract and simulator folders: the compile and link
# options it adds reach only the folders added after it (the host side).
macro(opusim_host_side_sanitizers)
  if(OPUSIM_TSAN)
    add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
    add_link_options(-fsanitize=thread)
  endif()
endmacro()
