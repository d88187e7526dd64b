# The installable package: find_package(opusim) gives opusim::sdk; pkg-config --cflags --libs
# opusim gives the same for other build systems; the profiles go to share/opusim/profiles so an
# installed program finds sim:gen2 (builtin_profile_dir(): $OPUSIM_PROFILE_PATH, then
# <exe>/../share/opusim/profiles, then the source tree).
include(CMakePackageConfigHelpers)

set(OPUSIM_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/opusim)
set(_opusim_exported opusim_sdk opusim_driver opusim_abi opusim_physics opusim_model
                     opusim_warnings opusim_random123)
set(_opusim_export_names sdk driver abi physics model warnings random123)

foreach(_target _name IN ZIP_LISTS _opusim_exported _opusim_export_names)
  set_target_properties(${_target} PROPERTIES EXPORT_NAME ${_name})
endforeach()
# Installed consumers find every public header under <prefix>/include.
foreach(_target opusim_driver opusim_abi opusim_physics)
  target_include_directories(${_target} INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()

install(TARGETS ${_opusim_exported} EXPORT opusimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT opusimTargets NAMESPACE opusim:: DESTINATION ${OPUSIM_CMAKE_INSTALL_DIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sdk/include/
                  ${PROJECT_SOURCE_DIR}/driver/include/
                  ${PROJECT_SOURCE_DIR}/driver/abi/include/
                  ${PROJECT_SOURCE_DIR}/sim/physics/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/opusimConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/opusimConfig.cmake
                              INSTALL_DESTINATION ${OPUSIM_CMAKE_INSTALL_DIR}
                              PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/opusimConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/opusimConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/opusimConfigVersion.cmake
        DESTINATION ${OPUSIM_CMAKE_INSTALL_DIR})

configure_file(${CMAKE_CURRENT_LIST_DIR}/opusim.pc.in ${CMAKE_CURRENT_BINARY_DIR}/opusim.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/opusim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
