# opusim_add_library(NAME SOURCE...): how every opusim library is built, said once.
#  - Shared, with the soname libNAME.so.<major> and the file libNAME.so.<version>, so applications
#    and other languages (ctypes, any FFI) load one copy and a compatible upgrade replaces it.
#  - Placed in <build>/<libdir> (the root CMakeLists sets the output folder), beside <build>/bin
#    and <build>/<datadir>: the build tree has the install tree's relative layout, so the profile
#    lookup relative to the library (sim/physics/src/profile.cpp) works in both.
#  - Installed with RUNPATH $ORIGIN: a library finds the opusim libraries it needs beside itself
#    wherever the prefix is moved.
#  - -fno-semantic-interposition: nobody interposes our symbols, so the compiler may inline and
#    call them directly inside a library, as it did when they were static.
function(opusim_add_library name)
  add_library(${name} SHARED ${ARGN})
  set_target_properties(${name} PROPERTIES
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}
    INSTALL_RPATH "$ORIGIN")
  target_compile_options(${name} PRIVATE -fno-semantic-interposition)
endfunction()
