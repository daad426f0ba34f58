# Installs the build tree into a scratch prefix, builds the example connector against it with
# find_package(mmhost), then has the *installed* mmhost load it by name and run a strategy on it.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}${err}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
run(${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")

# Installed host + a user plugin directory holding the new connector.
file(MAKE_DIRECTORY "${WORK_DIR}/user_plugins")
file(COPY "${WORK_DIR}/build/example_connector.so" DESTINATION "${WORK_DIR}/user_plugins")
set(ENV{MMHOST_PLUGIN_PATH} "${WORK_DIR}/user_plugins")
set(ENV{MMHOST_CACHE_DIR} "${WORK_DIR}/cache")
run("${prefix}/bin/mmhost" plugins)
foreach(expected "example_connector" "replay")
  if(NOT last_output MATCHES "${expected}")
    message(FATAL_ERROR "installed mmhost did not list ${expected}:\n${last_output}")
  endif()
endforeach()
file(WRITE "${WORK_DIR}/s.lua"
  "return mmhost.strategy{ market = { data = 'example_connector', symbol = 'ETHUSDT', ltf = '1m', htf = '5m' } }\n")
run("${prefix}/bin/mmhost" run "${WORK_DIR}/s.lua")
if(NOT last_output MATCHES "candle 600" OR NOT last_output MATCHES "120 5m bars")
  message(FATAL_ERROR "unexpected run output:\n${last_output}")
endif()
message(STATUS "out-of-tree plugin built, discovered and run:\n${last_output}")
