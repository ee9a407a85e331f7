# Shards and Xapian's remote backend: xapian-tcpsrv on loopback ports, stopped even on failure.
add_test(NAME process.remote_and_shards
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/remote/run.sh $<TARGET_FILE:befus> ${PROJECT_SOURCE_DIR})
set_tests_properties(process.remote_and_shards PROPERTIES
  PASS_REGULAR_EXPRESSION "remote-checks-passed" TIMEOUT 300 LABELS remote)
