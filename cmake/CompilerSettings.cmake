# Warnings, sanitizers and ccache for every target in the tree.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()

add_library(mmhost_warnings INTERFACE)
target_compile_options(mmhost_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wdouble-promotion
  -Wformat=2 -Wimplicit-fallthrough)
if(MMHOST_WERROR)
  target_compile_options(mmhost_warnings INTERFACE -Werror)
endif()

if(MMHOST_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # Clang 14's `function` check (part of `undefined`) cannot emit its type data for coroutine
    # frames ("Cannot represent a difference across sections"); it must follow -fsanitize.
    add_compile_options(-fno-sanitize=function)
  endif()
endif()
