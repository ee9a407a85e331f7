# Every dependency comes from a Debian package; see README "Dependencies".
find_package(PkgConfig REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc)
find_package(Threads REQUIRED)

# Xapian ships a config file with variables, not a target: wrap it once. The library is the
# static archive that tools/build-xapian makes from Debian's source package (.deps/xapian), when
# it is there and of the installed headers' version; else the shared libxapian. Linked
# statically, with the C++ runtime (see cli/CMakeLists.txt), it spares every befus command the
# dynamic loader's binding of libxapian's and libstdc++'s symbols: a search on the 10k benchmark
# takes 7.1 M instructions instead of 9.4 M, and 57 fewer page faults.
# -DBEFUS_STATIC_XAPIAN=OFF links the shared library.
find_package(xapian REQUIRED CONFIG)
option(BEFUS_STATIC_XAPIAN "Link the static Xapian that tools/build-xapian builds, when present" ON)
set(BEFUS_XAPIAN_DIR "${PROJECT_SOURCE_DIR}/.deps/xapian" CACHE PATH "Where tools/build-xapian puts libxapian.a")
set(BEFUS_XAPIAN_IS_STATIC OFF)
set(_xapian_libs "${XAPIAN_LIBRARIES}")
if(BEFUS_STATIC_XAPIAN AND EXISTS "${BEFUS_XAPIAN_DIR}/lib/libxapian.a")
  file(STRINGS "${BEFUS_XAPIAN_DIR}/VERSION" _xapian_built LIMIT_COUNT 1)
  string(REGEX REPLACE "-[^-]*$" "" _xapian_built_upstream "${_xapian_built}")
  if(_xapian_built_upstream VERSION_EQUAL xapian_VERSION)
    find_library(BEFUS_ZLIB_ARCHIVE NAMES libz.a)
    find_library(BEFUS_UUID_ARCHIVE NAMES libuuid.a)
    set(_xapian_libs "${BEFUS_XAPIAN_DIR}/lib/libxapian.a")
    foreach(_dep ZLIB:z UUID:uuid)
      string(REPLACE ":" ";" _dep "${_dep}")
      list(GET _dep 0 _var)
      list(GET _dep 1 _name)
      if(BEFUS_${_var}_ARCHIVE)
        list(APPEND _xapian_libs "${BEFUS_${_var}_ARCHIVE}")
      else()
        list(APPEND _xapian_libs "${_name}")
      endif()
    endforeach()
    set(BEFUS_XAPIAN_IS_STATIC ON)
    message(STATUS "Xapian: static, ${BEFUS_XAPIAN_DIR}/lib/libxapian.a (${_xapian_built})")
  else()
    message(WARNING "${BEFUS_XAPIAN_DIR} holds Xapian ${_xapian_built}, the headers are ${xapian_VERSION}: "
                    "linking the shared library (run tools/build-xapian to rebuild the archive)")
  endif()
elseif(BEFUS_STATIC_XAPIAN)
  message(STATUS "Xapian: shared (no ${BEFUS_XAPIAN_DIR}/lib/libxapian.a; tools/bootstrap builds it)")
endif()
if(NOT TARGET Xapian::Xapian)
  add_library(Xapian::Xapian INTERFACE IMPORTED)
  set_target_properties(Xapian::Xapian PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${XAPIAN_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${_xapian_libs}")
endif()

pkg_check_modules(MD4C REQUIRED IMPORTED_TARGET md4c)
pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)
pkg_check_modules(POPPLER_CPP REQUIRED IMPORTED_TARGET poppler-cpp)
pkg_check_modules(EXTTEXTCAT REQUIRED IMPORTED_TARGET libexttextcat)

find_path(CSV_INCLUDE_DIR csv.h REQUIRED)
find_library(CSV_LIBRARY csv REQUIRED)
add_library(Csv::Csv INTERFACE IMPORTED)
set_target_properties(Csv::Csv PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${CSV_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES "${CSV_LIBRARY}")

# Four small C/C++ libraries are linked statically when their archives are installed (Debian's
# -dev packages ship them): without their symbol relocations every befus command starts about
# 0.8 ms sooner, a tenth of a search on the 10k benchmark. ICU's common library and its data
# follow (BEFUS_STATIC_ICU): two fewer libraries to map and 5,000 fewer relocations at start, for
# executables 31 MB larger, almost all of it ICU's data, which is read only where a page is used.
# Static ICU needs both archives: with a shared libicudata, a static libicuuc's reference to the
# data is a copy relocation, and the loader copies all 31 MB into every process. fmt is compiled
# in (below). Xapian has its own switch (above). -DBEFUS_STATIC_DEPS=OFF links these dynamically.
option(BEFUS_STATIC_DEPS "Link yaml-cpp, gumbo, libexttextcat, libcsv, ICU and fmt statically when possible" ON)
include(CMakeDependentOption)
cmake_dependent_option(BEFUS_STATIC_ICU "Link ICU (libicuuc.a, libicudata.a) statically" ON "BEFUS_STATIC_DEPS" OFF)
set(BEFUS_ICU_LIBS ICU::uc)
if(BEFUS_STATIC_ICU)
  find_library(BEFUS_ICUUC_ARCHIVE NAMES libicuuc.a)
  find_library(BEFUS_ICUDATA_ARCHIVE NAMES libicudata.a)
  if(BEFUS_ICUUC_ARCHIVE AND BEFUS_ICUDATA_ARCHIVE)
    add_library(Befus::ICU INTERFACE IMPORTED)
    set_target_properties(Befus::ICU PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${ICU_INCLUDE_DIRS}"
      INTERFACE_LINK_LIBRARIES "${BEFUS_ICUUC_ARCHIVE};${BEFUS_ICUDATA_ARCHIVE};${CMAKE_DL_LIBS};Threads::Threads")
    set(BEFUS_ICU_LIBS Befus::ICU)
  endif()
endif()
# fmt compiled into befus (FMT_HEADER_ONLY) instead of libfmt.so: one library fewer to map, a
# search 0.17 M instructions and about 0.08 ms cheaper, each file using fmt slower to compile.
set(BEFUS_FMT_LIB fmt::fmt)
if(BEFUS_STATIC_DEPS AND TARGET fmt::fmt-header-only)
  set(BEFUS_FMT_LIB fmt::fmt-header-only)
endif()
set(BEFUS_YAML_LIB yaml-cpp)
set(BEFUS_GUMBO_LIB PkgConfig::GUMBO)
set(BEFUS_TEXTCAT_LIB PkgConfig::EXTTEXTCAT)
set(BEFUS_CSV_LIB Csv::Csv)
function(befus_static_archive var archive includes)
  find_library(${var}_ARCHIVE NAMES ${archive})
  if(${var}_ARCHIVE)
    add_library(Befus::${var} STATIC IMPORTED)
    set_target_properties(Befus::${var} PROPERTIES
      IMPORTED_LOCATION "${${var}_ARCHIVE}"
      INTERFACE_INCLUDE_DIRECTORIES "${includes}")
    set(BEFUS_${var}_LIB Befus::${var} PARENT_SCOPE)
  endif()
endfunction()
if(BEFUS_STATIC_DEPS)
  get_target_property(_yaml_includes yaml-cpp INTERFACE_INCLUDE_DIRECTORIES)
  if(NOT _yaml_includes)
    set(_yaml_includes "")
  endif()
  befus_static_archive(YAML libyaml-cpp.a "${_yaml_includes}")
  befus_static_archive(GUMBO libgumbo.a "${GUMBO_INCLUDE_DIRS}")
  befus_static_archive(TEXTCAT libexttextcat.a "${EXTTEXTCAT_INCLUDE_DIRS}")
  befus_static_archive(CSV libcsv.a "${CSV_INCLUDE_DIR}")
endif()

if(BEFUS_TESTS)
  find_package(Catch2 REQUIRED)
endif()
