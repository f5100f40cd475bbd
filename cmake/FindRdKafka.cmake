# FindRdKafka
# -----------
# Finds librdkafka's C library through pkg-config (Debian ships no CMake package for it).
#
# Imported target:  RdKafka::rdkafka
# Result variables: RdKafka_FOUND, RdKafka_VERSION, RdKafka_INCLUDE_DIRS, RdKafka_LIBRARIES
#
# Honours find_package(RdKafka <version>) and falls back to a plain header/library search when
# pkg-config is not installed.

find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_RDKAFKA QUIET rdkafka)
endif()

find_path(RdKafka_INCLUDE_DIR
  NAMES librdkafka/rdkafka.h
  HINTS ${PC_RDKAFKA_INCLUDEDIR} ${PC_RDKAFKA_INCLUDE_DIRS})
find_library(RdKafka_LIBRARY
  NAMES rdkafka
  HINTS ${PC_RDKAFKA_LIBDIR} ${PC_RDKAFKA_LIBRARY_DIRS})

# The header's RD_KAFKA_VERSION is the truth; pkg-config may be absent or stale.
if(RdKafka_INCLUDE_DIR AND EXISTS "${RdKafka_INCLUDE_DIR}/librdkafka/rdkafka.h")
  file(STRINGS "${RdKafka_INCLUDE_DIR}/librdkafka/rdkafka.h" _rdkafka_version_line
       REGEX "^#define RD_KAFKA_VERSION[ \t]+0x[0-9a-fA-F]+")
  if(_rdkafka_version_line MATCHES "0x([0-9a-fA-F][0-9a-fA-F])([0-9a-fA-F][0-9a-fA-F])([0-9a-fA-F][0-9a-fA-F])")
    math(EXPR _rdkafka_major "0x${CMAKE_MATCH_1}")
    math(EXPR _rdkafka_minor "0x${CMAKE_MATCH_2}")
    math(EXPR _rdkafka_patch "0x${CMAKE_MATCH_3}")
    set(RdKafka_VERSION "${_rdkafka_major}.${_rdkafka_minor}.${_rdkafka_patch}")
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(RdKafka
  REQUIRED_VARS RdKafka_LIBRARY RdKafka_INCLUDE_DIR
  VERSION_VAR RdKafka_VERSION)

if(RdKafka_FOUND)
  set(RdKafka_INCLUDE_DIRS "${RdKafka_INCLUDE_DIR}")
  set(RdKafka_LIBRARIES "${RdKafka_LIBRARY}")
  if(NOT TARGET RdKafka::rdkafka)
    add_library(RdKafka::rdkafka UNKNOWN IMPORTED)
    set_target_properties(RdKafka::rdkafka PROPERTIES
      IMPORTED_LOCATION "${RdKafka_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${RdKafka_INCLUDE_DIR}")
  endif()
endif()
mark_as_advanced(RdKafka_INCLUDE_DIR RdKafka_LIBRARY)
