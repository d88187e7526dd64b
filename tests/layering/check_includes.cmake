# The layering guard: fails when a source file under a host-side folder includes a simulator
# header (the physics, the SystemC model, the device server, SystemC or TLM itself).
#   cmake -DROOT=<tree> -DFOLDERS="driver;sdk;contract" -P check_includes.cmake
# Host and device meet only at the contract (contract/), so the driver, the SDK and the contract
# itself must never see the simulator's code.
if(NOT ROOT OR NOT FOLDERS)
  message(FATAL_ERROR "usage: cmake -DROOT=<tree> -DFOLDERS=\"driver;sdk\" -P check_includes.cmake")
endif()
set(_forbidden_pattern
    "#[ \t]*include[ \t]*[<\"](opusim/physics/|opusim/model/|opusim/server/|systemc|tlm|sysc/|[./]*sim/)")
set(_violations "")
set(_scanned 0)
foreach(_folder IN LISTS FOLDERS)
  if(NOT IS_DIRECTORY "${ROOT}/${_folder}")
    message(FATAL_ERROR "layering guard: ${ROOT}/${_folder} is not a folder")
  endif()
  file(GLOB_RECURSE _files "${ROOT}/${_folder}/*.h" "${ROOT}/${_folder}/*.hpp"
       "${ROOT}/${_folder}/*.c" "${ROOT}/${_folder}/*.cpp" "${ROOT}/${_folder}/*.in")
  foreach(_file IN LISTS _files)
    math(EXPR _scanned "${_scanned} + 1")
    file(STRINGS "${_file}" _lines REGEX "${_forbidden_pattern}")
    foreach(_line IN LISTS _lines)
      file(RELATIVE_PATH _relative "${ROOT}" "${_file}")
      list(APPEND _violations "${_relative}: ${_line}")
    endforeach()
  endforeach()
endforeach()
if(_scanned EQUAL 0)
  message(FATAL_ERROR "layering guard: no source file found under ${FOLDERS} in ${ROOT}")
endif()
if(_violations)
  list(JOIN _violations "\n  " _text)
  message(FATAL_ERROR "layering guard: host-side code includes simulator headers:\n  ${_text}\n"
                      "The driver and the SDK know the device only through contract/.")
endif()
message(STATUS "layering guard: ${_scanned} files under ${FOLDERS}, no simulator include")
