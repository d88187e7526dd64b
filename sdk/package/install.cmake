# The installable package (included from the root CMakeLists, after every library exists).
#  - CMake: find_package(opusim [COMPONENTS sdk kernels io]) gives opusim::sdk (C++ SDK and the C
#    API), opusim::kernels (attention kernels, CPU and device projections) and opusim::io (.npy).
#  - pkg-config: opusim (SDK and C API), opusim-kernels, opusim-io: one .pc file per component.
#  - The shared libraries, the `opusim` command (cli/), the device server (sim/server) and the profiles (sim/physics) install
#    with relative paths only, so a prefix can be moved (and packaged: cmake/OpusimPackaging.cmake).
include(CMakePackageConfigHelpers)

set(OPUSIM_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/opusim)
# Every library an application may link, under the name it has after opusim::. The components are
# sdk, kernels and io; driver and contract come with sdk (its public headers include theirs);
# kernels_cpu comes with kernels. The simulator's libraries (physics, model) are installed for the
# device server and the command only: no application links them, so none links SystemC, oneDNN or
# (through the SDK) OpenBLAS.
set(_opusim_exported opusim_sdk opusim_driver opusim_contract opusim_kernels_device opusim_kernels
                     opusim_io)
set(_opusim_export_names sdk driver contract kernels kernels_cpu io)

foreach(_target _name IN ZIP_LISTS _opusim_exported _opusim_export_names)
  set_target_properties(${_target} PROPERTIES EXPORT_NAME ${_name})
endforeach()
# Installed consumers find every public header under <prefix>/include.
foreach(_target opusim_driver opusim_kernels opusim_io)
  target_include_directories(${_target} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()

install(TARGETS ${_opusim_exported} EXPORT opusimTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT opusimTargets NAMESPACE opusim:: DESTINATION ${OPUSIM_CMAKE_INSTALL_DIR})
install(TARGETS opusim_physics opusim_model LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sdk/include/
                  ${PROJECT_SOURCE_DIR}/sdk/io/include/
                  ${PROJECT_SOURCE_DIR}/driver/include/
                  ${PROJECT_SOURCE_DIR}/contract/include/
                  ${PROJECT_SOURCE_DIR}/kernels/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/opusimConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/package/opusimConfig.cmake
                              INSTALL_DESTINATION ${OPUSIM_CMAKE_INSTALL_DIR}
                              PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/package/opusimConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/package/opusimConfig.cmake
              ${CMAKE_BINARY_DIR}/package/opusimConfigVersion.cmake
        DESTINATION ${OPUSIM_CMAKE_INSTALL_DIR})

# The .pc files locate the prefix from their own folder (pcfiledir): relocatable too.
file(RELATIVE_PATH OPUSIM_PCDIR_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
foreach(_pc opusim opusim-kernels opusim-io)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/${_pc}.pc.in ${CMAKE_BINARY_DIR}/package/${_pc}.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/package/${_pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
