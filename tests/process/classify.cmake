# Process-level checks of classify, evaluate and reclassify: exit codes, and a run killed midway.

add_test(NAME process.classify.no_target_exits_2
  COMMAND ${CMAKE_COMMAND} -DCMD=${BEFUS_EXE} "-DARGS=--kb;${KB};classify" -DEXPECT_CODE=2
          "-DEXPECT_ERR=give a FILE or an ID, or --unclassified" -P ${CMAKE_CURRENT_SOURCE_DIR}/expect.cmake)

add_test(NAME process.classify.evaluate_without_index_exits_4
  COMMAND ${CMAKE_COMMAND} -DCMD=${BEFUS_EXE}
          "-DARGS=--kb;${KB};--db;${CMAKE_CURRENT_BINARY_DIR}/no-such-index;evaluate" -DEXPECT_CODE=4
          "-DEXPECT_ERR=no index here" -P ${CMAKE_CURRENT_SOURCE_DIR}/expect.cmake)

# A file given by path is classified from the tree's words even without an index.
add_test(NAME process.classify.file_without_index
  COMMAND ${CMAKE_COMMAND} -DCMD=${BEFUS_EXE}
          "-DARGS=--kb;${KB};--db;${CMAKE_CURRENT_BINARY_DIR}/no-such-index;classify;${KB}/corpus/nl/brussel-spijbelteam-schoolverzuim.md"
          -DEXPECT_CODE=0 "-DEXPECT_OUT=school-support" -P ${CMAKE_CURRENT_SOURCE_DIR}/expect.cmake)

# reclassify --apply ended abruptly after 3 files (test hook BEFUS_TEST_CRASH_AFTER): no file
# half-written, the undo restores the rest, a new run completes.
add_test(NAME process.classify.reclassify_crash_then_undo
  COMMAND ${CMAKE_COMMAND} -DBEFUS=${BEFUS_EXE} -DSOURCE=${PROJECT_SOURCE_DIR}
          -DWORK=${CMAKE_CURRENT_BINARY_DIR}/classify-crash -P ${CMAKE_CURRENT_SOURCE_DIR}/data/classify/crash.cmake)
set_tests_properties(process.classify.reclassify_crash_then_undo PROPERTIES
  PASS_REGULAR_EXPRESSION "crash test passed" TIMEOUT 300)
