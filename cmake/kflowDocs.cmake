# The `docs` target: kflow's API reference from Doxygen (docs/api/Doxyfile.in), with every
# warning an error. Not part of `all`; the target exists only where Doxygen is installed.
find_package(Doxygen QUIET)
if(NOT DOXYGEN_FOUND)
  message(STATUS "kflow: Doxygen not found, no `docs` target (Debian: apt-get install doxygen)")
  return()
endif()
set(KFLOW_DOCS_OUTPUT_DIR "${CMAKE_CURRENT_BINARY_DIR}/docs/api")
configure_file("${CMAKE_CURRENT_SOURCE_DIR}/docs/api/Doxyfile.in"
  "${KFLOW_DOCS_OUTPUT_DIR}/Doxyfile" @ONLY)
add_custom_target(docs
  COMMAND "${CMAKE_COMMAND}" -E make_directory "${KFLOW_DOCS_OUTPUT_DIR}"
  COMMAND "${DOXYGEN_EXECUTABLE}" "${KFLOW_DOCS_OUTPUT_DIR}/Doxyfile"
  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
  COMMENT "kflow API reference: ${KFLOW_DOCS_OUTPUT_DIR}/html/index.html"
  VERBATIM)
