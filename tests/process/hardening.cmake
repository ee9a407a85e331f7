# Hardening: fuzz regression replay, crash safety (SIGKILL), concurrency and hostile input.
# The scripts live in tests/hardening/; see its README for what each checks.

# The replay test calls the fuzz targets' own entry points (fuzz/entry.cpp).
target_sources(befus_unit_tests PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/entry.cpp)
target_include_directories(befus_unit_tests PRIVATE ${PROJECT_SOURCE_DIR}/fuzz)

set(BEFUS_HARDENING_DIR ${CMAKE_CURRENT_SOURCE_DIR}/hardening)
set(BEFUS_HARDENING_ENV "BEFUS=$<TARGET_FILE:befus>" "BEFUS_SOURCE=${PROJECT_SOURCE_DIR}")

# Hostile input: one test per row of the table in hostile.sh.
file(STRINGS ${BEFUS_HARDENING_DIR}/hostile.sh BEFUS_HOSTILE_ROWS REGEX "^[a-z0-9-]+ +\\|")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${BEFUS_HARDENING_DIR}/hostile.sh)
foreach(row ${BEFUS_HOSTILE_ROWS})
  string(REGEX REPLACE " +\\|.*" "" name "${row}")
  add_test(NAME hardening.hostile.${name} COMMAND bash ${BEFUS_HARDENING_DIR}/hostile.sh ${name})
  set_tests_properties(hardening.hostile.${name} PROPERTIES
    ENVIRONMENT "${BEFUS_HARDENING_ENV}" SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS "hardening;hostile")
endforeach()

# Crash safety: a few thousand generated documents, a few kills; about a minute each on 2 cores.
# reclassify rewrites every file and re-indexes it, so it gets fewer documents.
foreach(spec "index 3000 4" "import 2000 3" "reclassify 1000 3")
  separate_arguments(spec)
  list(GET spec 0 cmd)
  add_test(NAME hardening.kill.${cmd} COMMAND bash ${BEFUS_HARDENING_DIR}/kill.sh ${spec})
  set_tests_properties(hardening.kill.${cmd} PROPERTIES
    ENVIRONMENT "${BEFUS_HARDENING_ENV}" SKIP_RETURN_CODE 77 TIMEOUT 600 LABELS "hardening;slow")
endforeach()

# Concurrency between processes.
foreach(what two-writers search-during import-twice)
  add_test(NAME hardening.concurrency.${what} COMMAND bash ${BEFUS_HARDENING_DIR}/concurrency.sh ${what})
  set_tests_properties(hardening.concurrency.${what} PROPERTIES
    ENVIRONMENT "${BEFUS_HARDENING_ENV}" SKIP_RETURN_CODE 77 TIMEOUT 600 LABELS "hardening;slow")
endforeach()
