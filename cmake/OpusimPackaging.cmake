# The Debian package: `cpack -G DEB` in a build folder makes opusim_<version>_<arch>.deb with what
# `cmake --install` installs (the opusim command, the shared libraries, the headers, the CMake
# package and pkg-config files, the profiles), under /usr.
# Runtime dependencies are computed by dpkg-shlibdeps from the installed binaries (SystemC, oneDNN,
# OpenBLAS, fmt, Boost.Program_options, the C++ runtime); the header-only dependencies of the
# public headers are the -dev packages listed here. Needs dpkg-dev and file (.ci/packages.txt).
set(CPACK_PACKAGE_NAME opusim)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "opusim")
set(CPACK_PACKAGE_CONTACT "opusim maintainers <maintainers@users.noreply.r-seed-390caedb.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "simulator of an optical processing unit, with its SDK and attention kernels")
set(CPACK_PACKAGE_DESCRIPTION
    "A cycle-approximate SystemC model of an optical processing unit (micromirror array, \
scattering medium, camera with EMVA 1288 noise), the user-space driver, the SDK applications \
link (C++ and C API: fit1d, transform, linear_transform, encoders), Performer (FAVOR+) attention \
kernels with projections computed on the simulated device, .npy I/O, and the opusim command. \
Applications use find_package(opusim COMPONENTS sdk kernels io) or pkg-config \
(opusim, opusim-kernels, opusim-io).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Release packages carry no debug information (it names the build machine's files).
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # opusim_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The package ships shared libraries: a shlibs file lets packages built against it depend on it.
# (CPack adds postinst/postrm scripts calling ldconfig because they are in /usr/lib.)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# The runtime dependencies (the simulator's SystemC, oneDNN, OpenBLAS; fmt, Boost) come from
# dpkg-shlibdeps; the public headers need no third-party headers.

include(CPack)
