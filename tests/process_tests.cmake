# Process-level checks: the real executable, its exit codes and messages.
set(BEFUS_EXE $<TARGET_FILE:befus>)
set(KB ${PROJECT_SOURCE_DIR})

add_test(NAME process.version COMMAND ${BEFUS_EXE} --version)
set_tests_properties(process.version PROPERTIES PASS_REGULAR_EXPRESSION "^befus [0-9]+\\.[0-9]+\\.[0-9]+")

add_test(NAME process.validate_shipped_tree COMMAND ${BEFUS_EXE} --kb ${KB} taxonomy validate)

add_test(NAME process.validate_broken_exits_3
  COMMAND ${CMAKE_COMMAND} -DCMD=${BEFUS_EXE}
          "-DARGS=--kb;${KB};taxonomy;validate;${CMAKE_CURRENT_SOURCE_DIR}/data/taxonomy/04-unknown-related.yaml"
          -DEXPECT_CODE=3 "-DEXPECT_OUT=04-unknown-related.yaml:6:14: error: 'inclusion' relates to unknown id"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/expect.cmake)

add_test(NAME process.unknown_command_exits_2
  COMMAND ${CMAKE_COMMAND} -DCMD=${BEFUS_EXE} "-DARGS=frobnicate" -DEXPECT_CODE=2 "-DEXPECT_ERR=befus: error:"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/expect.cmake)

add_test(NAME process.skos_parses_with_rapper
  COMMAND sh -c "${BEFUS_EXE} --kb ${KB} taxonomy export --to skos > skos.ttl && rapper -q -i turtle -o ntriples skos.ttl > skos.nt && test $(grep -c 'core#Concept>' skos.nt) -eq $(${BEFUS_EXE} --kb ${KB} --format json taxonomy validate | sed -n 's/.*\"nodes\": \\([0-9]*\\).*/\\1/p') && echo concepts-match"
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(process.skos_parses_with_rapper PROPERTIES PASS_REGULAR_EXPRESSION "concepts-match")

# Each feature keeps its process-level checks in its own file.
file(GLOB BEFUS_PROCESS_TEST_FILES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/process/*.cmake)
foreach(f ${BEFUS_PROCESS_TEST_FILES})
  include(${f})
endforeach()
