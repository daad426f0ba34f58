# Installs the ABI header, the SDK and a CMake package so third parties can build plugins out of
# tree:  find_package(mmhost REQUIRED)  then  mmhost_add_plugin(my_plugin SOURCES my.cpp).
include(CMakePackageConfigHelpers)

install(DIRECTORY plugins/sdk/include/mmhost/sdk DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mmhost)
install(TARGETS mmhost_sdk EXPORT mmhostTargets)
install(EXPORT mmhostTargets NAMESPACE mmhost:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mmhost)

configure_package_config_file(cmake/mmhostConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/mmhostConfig.cmake"
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mmhost
  PATH_VARS MMHOST_PLUGIN_INSTALL_DIR)
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/mmhostConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion)
install(FILES
  "${CMAKE_CURRENT_BINARY_DIR}/mmhostConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/mmhostConfigVersion.cmake"
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mmhost)
