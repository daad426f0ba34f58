# Warnings, sanitizers and ccache for every target in the tree.
find_program(CCACHE_PROGRAM ccache)
# Not for a profile-using build: its objects depend on profile files ccache cannot see by name.
if(CCACHE_PROGRAM AND NOT MMHOST_PGO STREQUAL "use")
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

# Profile-guided optimisation (tools/pgo.sh, ADR 0038). Profiles are named after each object's
# path below its build tree (-fprofile-prefix-path), so the training build and the optimised one
# can live in separate trees. Prefer-atomic counters: a backtest writes its files on a thread.
if(MMHOST_PGO STREQUAL "generate")
  add_compile_options(-fprofile-generate -fprofile-update=prefer-atomic
                      "-fprofile-dir=${MMHOST_PGO_DIR}" "-fprofile-prefix-path=${CMAKE_BINARY_DIR}")
  add_link_options(-fprofile-generate)
elseif(MMHOST_PGO STREQUAL "use")
  if(NOT EXISTS "${MMHOST_PGO_DIR}")
    message(FATAL_ERROR "MMHOST_PGO=use: no profiles in ${MMHOST_PGO_DIR} (run tools/pgo.sh)")
  endif()
  # -fprofile-partial-training: code the training did not run stays optimised as usual.
  add_compile_options(-fprofile-use -fprofile-partial-training -Wno-missing-profile
                      "-fprofile-dir=${MMHOST_PGO_DIR}" "-fprofile-prefix-path=${CMAKE_BINARY_DIR}")
elseif(NOT MMHOST_PGO STREQUAL "")
  message(FATAL_ERROR "MMHOST_PGO must be empty, 'generate' or 'use' (got '${MMHOST_PGO}')")
endif()
