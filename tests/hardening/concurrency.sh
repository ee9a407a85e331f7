#!/usr/bin/env bash
# Concurrency, process level:
#   concurrency.sh two-writers      the second writer exits 4 with "index is locked by another befus process"
#   concurrency.sh search-during    searches while the index is rebuilt: every answer whole and consistent
#   concurrency.sh import-twice     two imports of the same batch in a row: no duplicates (skipped until import exists)
# BEFUS and BEFUS_SOURCE come from the environment.
source "$(dirname "$0")/common.sh"

what=${1:?two-writers, search-during or import-twice}
scratch
kb=$T/kb
index=$kb/.befus/index

case $what in
  two-writers)
    make_kb "$kb" 3000
    # The first writer holds the lock from the moment the database exists until it returns.
    for attempt in 1 2 3; do
      rm -rf "$kb/.befus"
      "$BEFUS" --kb "$kb" -q index --full --jobs 1 >"$T/first.out" 2>&1 &
      first=$!
      while kill -0 $first 2>/dev/null && [ ! -e "$index/iamglass" ]; do sleep 0.01; done
      code=0
      "$BEFUS" --kb "$kb" index >"$T/second.out" 2>&1 || code=$?
      still_running=0
      kill -0 $first 2>/dev/null && still_running=1
      first_code=0
      wait $first || first_code=$?
      if [ $still_running = 0 ] && [ $code = 0 ]; then
        note "attempt $attempt: the first writer finished before the second started; again"
        continue
      fi
      [ $code = 4 ] || { cat "$T/second.out" >&2; fail "the second writer exited $code, expected 4"; }
      grep -q 'index is locked by another befus process' "$T/second.out" ||
        { cat "$T/second.out" >&2; fail "the second writer's message does not say the index is locked"; }
      [ $first_code = 0 ] || { tail "$T/first.out" >&2; fail "the first writer exited $first_code"; }
      check_index "$index"
      [ "$(doc_count "$index")" = 3000 ] || fail "the first writer's index is incomplete"
      echo "PASS: second writer: exit 4, '$(grep -o 'index is locked by another befus process' "$T/second.out")'"
      exit 0
    done
    fail "the first writer never held the lock long enough to test"
    ;;

  search-during)
    make_kb "$kb" 2500
    "$BEFUS" --kb "$kb" -q index >/dev/null
    # Rebuild (new titles everywhere) while searches run; every search sees one snapshot.
    find "$kb/corpus" -name '*.md' -print0 | xargs -0 sed -i 's/^title: Generated/title: Rewritten/'
    "$BEFUS" --kb "$kb" -q index --full --jobs 1 >"$T/writer.out" 2>&1 &
    writer=$!
    searches=0
    while kill -0 $writer 2>/dev/null || [ $searches -lt 5 ]; do
      code=0
      "$BEFUS" --kb "$kb" --format json search --facets --limit 50 prevention >"$T/s.json" 2>"$T/s.err" || code=$?
      [ $code = 0 ] || { cat "$T/s.err" >&2; fail "a search during indexing exited $code"; }
      # total (with --facets: exact) equals the documents counted per language, and every hit is whole.
      verdict=$(awk -f "$(dirname "$0")/search_consistent.awk" -v limit=50 "$T/s.json")
      [ "$verdict" = ok ] || { cat "$T/s.json" >&2; fail "an inconsistent answer during indexing: $verdict"; }
      searches=$((searches + 1))
    done
    wait $writer || fail "the writer failed"
    check_index "$index"
    echo "PASS: $searches searches during a rebuild, every answer consistent"
    ;;

  import-twice)
    has_command import || skip "this befus has no 'import' command yet"
    make_kb "$kb" 0
    for ((i = 1; i <= 200; i++)); do
      printf '{"id": "batch-%03d", "title": "Batch record %d", "lang": "en", "year": 2020, "type": "news", "body": "Street lighting and prevention, record %d."}\n' "$i" "$i" "$i"
    done >"$T/batch.jsonl"
    "$BEFUS" --kb "$kb" -q import "$T/batch.jsonl" >/dev/null || fail "the first import failed"
    "$BEFUS" --kb "$kb" --format json import "$T/batch.jsonl" >"$T/second.json" || fail "the second import failed"
    for want in '"added": 0' '"unchanged": 200' '"rejected": 0'; do
      grep -q "$want" "$T/second.json" || { cat "$T/second.json" >&2; fail "the second import of the same batch: not $want"; }
    done
    files=$(find "$kb/corpus" -name '*.md' | wc -l)
    [ "$files" = 200 ] || fail "$files files for 200 records"
    [ "$(doc_count "$index")" = 200 ] || fail "$(doc_count "$index") documents for 200 records"
    echo "PASS: the same batch twice: 200 files, 200 documents"
    ;;

  *) fail "unknown case '$what'" ;;
esac
