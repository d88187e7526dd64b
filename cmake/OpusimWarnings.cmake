# Compile options every opusim target gets through the opusim_warnings interface library.
add_library(opusim_warnings INTERFACE)
target_compile_options(opusim_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                       -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast)
if(OPUSIM_WERROR)
  target_compile_options(opusim_warnings INTERFACE -Werror)
endif()
if(OPUSIM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
