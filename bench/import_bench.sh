#!/usr/bin/env bash
# Import benchmark: generates N records deterministically (the same bytes on every run), then runs
# `befus import` on them under /usr/bin/time -v in a temporary knowledge base, and prints records
# per second and peak memory for: a first import (every record added and indexed), the same batch
# again (every record unchanged), `befus index` with nothing to do (the share of the indexer in the
# run before), dry runs of the batch as JSON Lines and as CSV, and a dry run of a tenth of it (to
# show that reading streams: memory does not grow with the input). Not part of CTest.
#
#   bench/import_bench.sh [N] [BEFUS]      defaults: 100000, build/befus (a Release build)
#
# Keep the machine otherwise idle: on a busy disk the first import is dominated by I/O waits.
set -euo pipefail

n=${1:-100000}
src=$(cd "$(dirname "$0")/.." && pwd)
befus=$(realpath "${2:-${BEFUS:-$src/build/befus}}")
[ -x "$befus" ] || { echo "no befus at $befus; build it first (cmake --build build)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/befus-import-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
kb=$work/kb
mkdir -p "$kb/taxonomy" "$kb/corpus"
cp "$src"/taxonomy/{befus,actors,funding}.yaml "$kb/taxonomy/"
cp "$src/befus.yaml" "$kb/"

# Records cycle through languages, types, themes and partners; bodies are about 1 KB of words
# chosen by arithmetic on the record number, so every run generates identical input. Bodies draw on
# a small vocabulary plus the record number: a made-up word per record ("word123") would grow the
# index's spelling table past what Xapian 1.4.22 stores correctly (it reports "Too few chunks of
# compressed data" at about 150,000 distinct words sharing a fragment), which is not what this
# benchmark measures.
generate() {
  local count=$1 format=$2
  awk -v n="$count" -v format="$format" 'BEGIN {
    split("nl fr en", langs, " ")
    split("publication practice recommendation evaluation workshop news", types, " ")
    split("migrant-inclusion feeling-of-insecurity youth-integration social-cohesion radicalisation domestic-violence administrative-sanctions housing victim-support polarisation", themes, " ")
    split("befus efus vvsg brulocalis uvcw antwerpen gent liege charleroi namur", partners, " ")
    split("buurt preventie jongeren veiligheid stad samenwerking gemeente bewoners quartier prévention jeunes sécurité ville partenariat commune habitants neighbourhood prevention youth safety city partnership residents nuisance", words, " ")
    if (format == "csv") print "id,title,lang,year,type,partners,themes,why,body"
    for (i = 1; i <= n; i++) {
      body = "# Record " i "\\n\\n"
      for (p = 1; p <= 4; p++) {
        line = ""
        for (w = 1; w <= 24; w++) line = line words[(i * 7 + p * 13 + w * w) % 24 + 1] " "
        body = body line "nummer " i ".\\n\\n"
      }
      lang = langs[i % 3 + 1]; type = types[i % 6 + 1]
      t1 = themes[i % 10 + 1]; t2 = themes[(i * 3 + 1) % 10 + 1]
      p1 = partners[i % 10 + 1]; p2 = partners[(i * 7 + 3) % 10 + 1]
      why = "Generated record " i ", with a comma; and \"quotes\"."
      if (format == "csv") {
        gsub(/\\n/, "\n", body); gsub(/"/, "\"\"", why)
        printf "rec-%06d,Record %d,%s,%d,%s,%s; %s,%s; %s,\"%s\",\"%s\"\n", i, i, lang, 2000 + i % 25, type, p1, p2, t1, t2, why, body
      } else {
        gsub(/"/, "\\\"", why)
        printf "{\"id\":\"rec-%06d\",\"title\":\"Record %d\",\"lang\":\"%s\",\"year\":%d,\"type\":\"%s\",\"partners\":[\"%s\",\"%s\"],\"themes\":[\"%s\",\"%s\"],\"why\":\"%s\",\"body\":\"%s\"}\n", i, i, lang, 2000 + i % 25, type, p1, p2, t1, t2, why, body
      }
    }
  }'
}

echo "generating $n records..."
generate "$n" jsonl >"$work/records.jsonl"
generate "$n" csv >"$work/records.csv"
generate $((n / 10)) jsonl >"$work/tenth.jsonl"
echo "input: $(du -h "$work/records.jsonl" | cut -f1) JSON Lines, $(du -h "$work/records.csv" | cut -f1) CSV"

# run LABEL RECORDS ARGS...: one measured run; prints a row of the result table.
run() {
  local label=$1 records=$2
  shift 2
  local code=0
  /usr/bin/time -v "$befus" --kb "$kb" -q --format json "$@" >"$work/out.json" 2>"$work/time.txt" || code=$?
  if [ $code -ne 0 ]; then
    cat "$work/time.txt" >&2
    echo "befus exited $code on: $*" >&2
    exit 1
  fi
  local wall rss secs
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
  secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  printf '%-34s %8d %9.1f %10.0f %9.1f\n' "$label" "$records" "$secs" "$(awk -v r="$records" -v s="$secs" 'BEGIN { print (s > 0 ? r / s : 0) }')" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
}

printf '%-34s %8s %9s %10s %9s\n' "run" "records" "seconds" "records/s" "peak MB"
run "import (add + index)" "$n" import "$work/records.jsonl"
grep -q "\"added\": $n" "$work/out.json" || { cat "$work/out.json" >&2; echo "not every record was added" >&2; exit 1; }
run "import again (all unchanged)" "$n" import "$work/records.jsonl"
grep -q "\"unchanged\": $n" "$work/out.json" || { echo "the second run was not all unchanged" >&2; exit 1; }
run "index, nothing to do (reference)" "$n" index
run "import --dry-run, JSON Lines" "$n" import "$work/records.jsonl" --dry-run
run "import --dry-run, CSV" "$n" import "$work/records.csv" --dry-run
run "import --dry-run, a tenth" $((n / 10)) import "$work/tenth.jsonl" --dry-run
echo "documents in the index: $(xapian-delve "$kb/.befus/index" 2>/dev/null | sed -n 's/^number of documents = //p')"
