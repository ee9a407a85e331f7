#!/usr/bin/env bash
# Crash safety: starts a writing befus command on thousands of documents, kills it with SIGKILL at
# random moments, and after each kill checks that xapian-check passes, that the next run completes,
# that the document count is exact and that no source file is truncated or half-written.
#
#   kill.sh index|import|reclassify [DOCS] [KILLS]
#
# BEFUS and BEFUS_SOURCE come from the environment; HARDENING_SEED repeats a run's random moments.
# import and reclassify are skipped (exit 77) until the befus in use has those commands.
source "$(dirname "$0")/common.sh"

command=${1:?index, import or reclassify}
docs=${2:-3000}
kills=${3:-4}
seed=${HARDENING_SEED:-$$}
RANDOM=$seed
note "kill test of '$command' on $docs documents, $kills kills, seed $seed"

scratch
kb=$T/kb
index=$kb/.befus/index

# Runs the command to completion; its exit code must be 0.
complete() {
  local code=0
  "$@" >"$T/complete.out" 2>&1 || code=$?
  [ $code -eq 0 ] || { tail -20 "$T/complete.out" >&2; fail "the run after a kill exited $code: $*"; }
}

# Starts the command, kills it after a random share of `expected` milliseconds; says whether it was
# still running when the signal came.
killed_midway() {
  local expected=$1
  shift
  local delay=$((expected * (10 + RANDOM % 80) / 100))
  "$@" >"$T/killed.out" 2>&1 &
  local pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  if kill -KILL "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    note "killed after ${delay} ms"
    return 0
  fi
  wait "$pid" 2>/dev/null || true
  note "finished before the kill at ${delay} ms"
  return 1
}

# The moment to aim at: the duration of one uninterrupted run, measured on a copy.
measure() {
  local start
  start=$(now_ms)
  "$@" >"$T/measure.out" 2>&1 || true
  echo $(($(now_ms) - start))
}

case $command in
  index)
    make_kb "$kb" "$docs"
    sources=$(fingerprint "$kb")
    cp -a "$kb" "$T/probe"
    expected=$(measure "$BEFUS" --kb "$T/probe" -q index --full)
    rm -rf "$T/probe"
    note "an uninterrupted full run takes ${expected} ms"
    landed=0
    for ((k = 1; k <= kills; k++)); do
      # Give every round work of another kind: first build, full rebuild, additions and removals.
      # The kill aims at the share of a full run that the round's work needs.
      case $((k % 3)) in
        1) args=(index --full); work=$docs ;;
        2) for ((i = docs + k * 1000; i < docs + k * 1000 + 600; i++)); do
             doc_markdown "$i" >"$kb/corpus/gen/gen-$(printf %05d "$i").md"
           done
           find "$kb/corpus/gen" -name 'gen-*.md' | sort | sed -n '1,400p' | xargs rm -f
           args=(index); work=1000 ;;
        0) find "$kb/corpus/gen" -name 'gen-*.md' | sort | tail -n 1000 | xargs sed -i 's/^title: Generated/title: Retitled/'
           args=(index); work=1000 ;;
      esac
      sources=$(fingerprint "$kb")
      killed_midway $((expected * work / docs)) "$BEFUS" --kb "$kb" -q "${args[@]}" && landed=$((landed + 1))
      check_index "$index"
      [ "$(fingerprint "$kb")" = "$sources" ] || fail "the killed index run changed the corpus"
      complete "$BEFUS" --kb "$kb" -q index
      check_index "$index"
      want=$(find "$kb/corpus" -name '*.md' | wc -l)
      have=$(doc_count "$index")
      [ "$have" = "$want" ] || fail "after kill $k the index holds $have documents, the corpus $want"
      # Nothing left to do: the completing run really brought the index in step.
      "$BEFUS" --kb "$kb" --format json index >"$T/again.json"
      grep -q '"unchanged": '"$want" "$T/again.json" || { cat "$T/again.json" >&2; fail "a second run still found work"; }
      note "round $k: $have documents, xapian-check clean"
    done
    [ $landed -ge 1 ] || fail "no kill landed while the index was being written (the machine is too fast?)"
    ;;

  import)
    has_command import || skip "this befus has no 'import' command yet"
    make_kb "$kb" 0
    # Records as DESIGN.md describes them; each body ends with the sentinel line.
    for ((i = 1; i <= docs; i++)); do
      lang=${langs[$((i % 3))]}
      body=$(doc_body "$i" "$lang" | sed 's/end-of-document/end-of-record/' | awk '{printf "%s\\n", $0}')
      printf '{"id": "rec-%05d", "title": "Record %d", "lang": "%s", "year": %d, "type": "practice", "partners": ["befus"], "themes": ["%s"], "body": "%s"}\n' \
        "$i" "$i" "$lang" $((2000 + i % 24)) "${themes[$((i % ${#themes[@]}))]}" "$body"
    done >"$T/records.jsonl"
    cp -a "$kb" "$T/probe"
    expected=$(measure "$BEFUS" --kb "$T/probe" -q import "$T/records.jsonl")
    rm -rf "$T/probe"
    note "an uninterrupted import takes ${expected} ms"
    landed=0
    for ((k = 1; k <= kills; k++)); do
      killed_midway "$expected" "$BEFUS" --kb "$kb" -q import "$T/records.jsonl" && landed=$((landed + 1))
      check_index "$index"
      check_sources_whole "$kb/corpus"
      complete "$BEFUS" --kb "$kb" -q import "$T/records.jsonl"
      check_index "$index"
      check_sources_whole "$kb/corpus"
      files=$(find "$kb/corpus" -name '*.md' | wc -l)
      have=$(doc_count "$index")
      [ "$files" = "$docs" ] || fail "after kill $k the corpus holds $files files for $docs records"
      [ "$have" = "$docs" ] || fail "after kill $k the index holds $have documents for $docs records"
      # The next round imports into an empty knowledge base again.
      rm -rf "$kb/corpus" "$kb/.befus"
      mkdir -p "$kb/corpus"
      note "round $k: $have documents, every file whole"
    done
    [ $landed -ge 1 ] || fail "no kill landed while importing"
    ;;

  reclassify)
    has_command reclassify || skip "this befus has no 'reclassify' command yet"
    # Every document carries a retired id; the tree says which node replaces it.
    make_kb "$kb" "$docs" retired-theme
    sed -i 's/^\(\s*\)- id: housing$/\1- id: housing\n\1  replaces: [retired-theme]/' "$kb/taxonomy/befus.yaml"
    grep -q 'replaces: \[retired-theme\]' "$kb/taxonomy/befus.yaml" || fail "could not retire a theme in the copied tree"
    complete "$BEFUS" --kb "$kb" -q index
    cp -a "$kb" "$T/probe"
    expected=$(measure "$BEFUS" --kb "$T/probe" -q reclassify --apply)
    rm -rf "$T/probe"
    note "an uninterrupted reclassify --apply takes ${expected} ms"
    landed=0
    for ((k = 1; k <= kills; k++)); do
      killed_midway "$expected" "$BEFUS" --kb "$kb" -q reclassify --apply && landed=$((landed + 1))
      check_index "$index"
      check_sources_whole "$kb/corpus"
      complete "$BEFUS" --kb "$kb" -q reclassify --apply
      check_index "$index"
      check_sources_whole "$kb/corpus"
      left=$( (grep -rl 'retired-theme' "$kb/corpus" || true) | wc -l)
      [ "$left" = 0 ] || fail "after kill $k, $left documents still carry the retired theme"
      have=$(doc_count "$index")
      [ "$have" = "$docs" ] || fail "after kill $k the index holds $have documents, the corpus $docs"
      # Put the retired id back for the next round.
      find "$kb/corpus" -name '*.md' -print0 | xargs -0 sed -i 's/^themes: \[housing\]$/themes: [retired-theme]/'
      complete "$BEFUS" --kb "$kb" -q index
      note "round $k: $have documents, every file whole"
    done
    [ $landed -ge 1 ] || fail "no kill landed while reclassifying"
    ;;

  *) fail "unknown command '$command'" ;;
esac
echo "PASS: $command survived $kills kills ($landed landed mid-run)"
