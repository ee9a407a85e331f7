# Import and export through the real executable: standard input, exit codes, the round trip.
# Each test works in its own copy of a knowledge base under the build folder.

set(BEFUS_INGEST_DATA ${CMAKE_CURRENT_SOURCE_DIR}/data/ingest)
# A knowledge base with the shipped tree and the small ingest corpus, in ./$1.
set(BEFUS_SMALL_KB "rm -rf \"$1\" && mkdir -p \"$1\" && cp -r ${PROJECT_SOURCE_DIR}/befus.yaml ${PROJECT_SOURCE_DIR}/taxonomy \"$1\"/ && cp -r ${BEFUS_INGEST_DATA}/corpus \"$1\"/corpus")

add_test(NAME process.import.stdin_csv_partial
  COMMAND sh -c "kb() { ${BEFUS_SMALL_KB}; }; kb import-stdin && code=0 && $<TARGET_FILE:befus> --kb import-stdin -q import - --from csv < ${BEFUS_INGEST_DATA}/mixed.csv > out.txt || code=$?; cat out.txt; test $code -eq 5 && grep -q \"^<stdin>:7: rejected 'charleroi-cohesion': themes: unknown theme\" out.txt && test -f import-stdin/corpus/imported/verviers-dialogue.md && echo stdin-ok"
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(process.import.stdin_csv_partial PROPERTIES PASS_REGULAR_EXPRESSION "stdin-ok")

add_test(NAME process.import.strict_writes_nothing
  COMMAND sh -c "kb() { ${BEFUS_SMALL_KB}; }; kb import-strict && code=0 && cat ${BEFUS_INGEST_DATA}/mixed.jsonl | $<TARGET_FILE:befus> --kb import-strict -q import - --from jsonl --strict > out-strict.txt || code=$?; cat out-strict.txt; test $code -eq 3 && test ! -e import-strict/corpus/imported && test ! -e import-strict/.befus/index && grep -q 'nothing was written or indexed' out-strict.txt && echo strict-ok"
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(process.import.strict_writes_nothing PROPERTIES PASS_REGULAR_EXPRESSION "strict-ok")

# The sample corpus exported and imported again: every document unchanged, in both formats.
add_test(NAME process.import.round_trip_sample_corpus
  COMMAND sh -c "B=$<TARGET_FILE:befus>; rm -rf import-rt && mkdir import-rt && cp -r ${PROJECT_SOURCE_DIR}/befus.yaml ${PROJECT_SOURCE_DIR}/taxonomy ${PROJECT_SOURCE_DIR}/corpus import-rt/ && $B --kb import-rt -q index > /dev/null && n=$($B --kb import-rt export | wc -l) && test $n -ge 70 && for f in jsonl csv; do $B --kb import-rt --format $f export | $B --kb import-rt --format json import - --from $f --dry-run > rt-$f.json && grep -q '\"unchanged\": '$n rt-$f.json && grep -q '\"updated\": 0' rt-$f.json && grep -q '\"rejected\": 0' rt-$f.json || { cat rt-$f.json; exit 1; }; done && echo round-trip-ok"
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(process.import.round_trip_sample_corpus PROPERTIES PASS_REGULAR_EXPRESSION "round-trip-ok")

add_test(NAME process.import.missing_file_exits_3
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:befus>
          "-DARGS=--kb;${PROJECT_SOURCE_DIR};import;${CMAKE_CURRENT_BINARY_DIR}/no-such-batch.jsonl;--dry-run"
          -DEXPECT_CODE=3 "-DEXPECT_ERR=no-such-batch.jsonl: cannot open: no such file"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/expect.cmake)

add_test(NAME process.import.stdin_needs_from
  COMMAND ${CMAKE_COMMAND} -DCMD=$<TARGET_FILE:befus> "-DARGS=--kb;${PROJECT_SOURCE_DIR};import;-;--dry-run"
          -DEXPECT_CODE=2 "-DEXPECT_ERR=reading standard input needs --from jsonl|csv"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/expect.cmake)
