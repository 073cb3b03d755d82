# What `cmake --install` puts where, and the package files that let other
# projects find it: find_package(Kiln) (KilnConfig.cmake, a version file,
# imported target Kiln::kiln) and pkg-config (kiln.pc).
#
# Layout: bin/kiln and bin/kiln-executor; lib/libkiln.so* (and libkiln.a),
# lib/libkiln_faust_forkserver.so and lib/libkiln_rt.a (the kiln tool's AOT
# links the runtime from <exe>/../lib, kiln_link from beside libkiln.so, so
# the directory is `lib`, never a multiarch one); include/kiln/kiln.h,
# include/kiln/c/*.h and the libfaust drop-in include/kiln/faust/llvm-dsp-c.h.
# Only the C API's headers are installed: libkiln.so exports only C names,
# so Kiln's C++ headers (include/kiln/{support,core,relay,tensor,faust})
# would declare symbols no installed library provides; C++ users build Kiln
# as a subproject.
include(CMakePackageConfigHelpers)

install(TARGETS kiln kiln-executor RUNTIME DESTINATION bin)
install(TARGETS kiln_rt ARCHIVE DESTINATION lib)
# The Faust fork server's preload library, found beside libkiln.so and in
# ../lib from bin/kiln (without it Faust compiles still work, each starting
# faust afresh).
install(TARGETS kiln_faust_forkserver LIBRARY DESTINATION lib)
install(TARGETS libkiln EXPORT KilnTargets
        LIBRARY DESTINATION lib)
# libkiln.a beside it (KILN_STATIC_ARCHIVE, lib/capi/static): the imported
# target Kiln::kiln_static and kiln-static.pc, both naming the system
# libraries the archive needs.
if(TARGET libkiln_static)
  install(TARGETS libkiln_static EXPORT KilnTargets ARCHIVE DESTINATION lib)
  list(TRANSFORM KILN_STATIC_SYSTEM_LIBS PREPEND -l OUTPUT_VARIABLE _kiln_static_libs)
  list(JOIN _kiln_static_libs " " KILN_STATIC_LIBS)
  configure_file(cmake/kiln-static.pc.in ${CMAKE_BINARY_DIR}/kiln-static.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/kiln-static.pc DESTINATION lib/pkgconfig)
endif()
install(FILES include/kiln/kiln.h DESTINATION include/kiln)
install(DIRECTORY include/kiln/c/ DESTINATION include/kiln/c
        FILES_MATCHING PATTERN "*.h")
install(FILES include/kiln/faust/llvm-dsp-c.h DESTINATION include/kiln/faust)
# The Python binding (pure ctypes, docs/python.md) where Debian keeps Python
# packages; from there it finds libkiln.so.0 in <prefix>/lib.
install(DIRECTORY python/kiln DESTINATION lib/python3/dist-packages
        FILES_MATCHING PATTERN "*.py")

install(EXPORT KilnTargets NAMESPACE Kiln:: DESTINATION lib/cmake/Kiln)
configure_package_config_file(cmake/KilnConfig.cmake.in
  ${CMAKE_BINARY_DIR}/KilnConfig.cmake INSTALL_DESTINATION lib/cmake/Kiln)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/KilnConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/KilnConfig.cmake
              ${CMAKE_BINARY_DIR}/KilnConfigVersion.cmake
        DESTINATION lib/cmake/Kiln)
configure_file(cmake/kiln.pc.in ${CMAKE_BINARY_DIR}/kiln.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/kiln.pc DESTINATION lib/pkgconfig)
