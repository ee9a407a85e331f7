#!/usr/bin/env bash
# befus against Xapian's own tools on the same synthetic corpus.
#
#   bench/run.sh [N]        N documents (default 10000)
#
# Indexes the same Markdown files with `befus index` and with omindex, re-runs both on the
# unchanged files (no-op), then times the queries of bench/queries.txt as whole processes
# with `befus search` and `quest` (on the befus database and on omindex's own), and prints
# one table with the ratio befus/omindex (or befus/quest).
#
# Environment:
#   BEFUS=path   the befus binary (default /work/main/build-bench/befus; build it Release)
#   WORK=dir     work folder (default /tmp/befus-bench-N); the corpus is kept there and
#                regenerated only when missing
#   K=n          runs of each query per tool (default 20)
#   JOBS=n       befus index --jobs (default: nproc)
#   QUERIES=file the query list (default bench/queries.txt)
#   KEEP_DB=1    keep the databases of the last run instead of indexing from scratch
#
# Needs omindex and quest (Debian package xapian-omega), GNU time at /usr/bin/time
# (package `time`), python3 (standard library only) and bash >= 5 for EPOCHREALTIME.
# Builds nothing; writes nothing in the repository.
set -euo pipefail

N=${1:-10000}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BEFUS=${BEFUS:-$HERE/../build-bench/befus}
WORK=${WORK:-/tmp/befus-bench-$N}
K=${K:-20}
JOBS=${JOBS:-$(nproc)}
QUERIES=${QUERIES:-$HERE/queries.txt}

die() { echo "run.sh: $*" >&2; exit 2; }
[[ -x $BEFUS ]] || die "no befus binary at $BEFUS (build with -DCMAKE_BUILD_TYPE=Release, or set BEFUS=)"
command -v omindex >/dev/null || die "omindex not found: apt-get install xapian-omega"
command -v quest >/dev/null || die "quest not found: apt-get install xapian-omega"
[[ -x /usr/bin/time ]] || die "GNU time not found: apt-get install time"
[[ -n ${EPOCHREALTIME:-} ]] || die "bash 5 or later needed (EPOCHREALTIME)"
[[ $N =~ ^[0-9]+$ && $N -gt 0 ]] || die "N must be a positive number of documents"

KB=$WORK/kb
RES=$WORK/results
OMEGA_DB=$WORK/omega
BEFUS_DB=$KB/.befus/index
mkdir -p "$WORK" "$RES"
rm -f "$RES"/*

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# --- corpus ------------------------------------------------------------------------------
GEN_SUM=$(cat "$HERE/gen_corpus.py" "$HERE"/../taxonomy/{befus,actors,funding}.yaml | md5sum | cut -c1-12)
if [[ ! -f $KB/.generated || $(cat "$KB/.generated") != "$N $GEN_SUM" ]]; then
  log "generating $N documents into $KB"
  rm -rf "$KB" "$OMEGA_DB"
  python3 "$HERE/gen_corpus.py" "$N" "$KB" --jobs "$(nproc)"
  echo "$N $GEN_SUM" >"$KB/.generated"
fi
FILES=$(find "$KB/corpus" -name '*.md' | wc -l)
CORPUS_BYTES=$(find "$KB/corpus" -name '*.md' -printf '%s\n' | awk '{s+=$1} END {print s}')
# Both indexers read from a warm page cache: the files are read once here.
find "$KB/corpus" -name '*.md' -print0 | xargs -0 cat >/dev/null

# --- indexing ----------------------------------------------------------------------------
# measure NAME CMD...: wall seconds, peak RSS (KB), user+sys seconds into $RES/NAME.time
measure() {
  local name=$1
  shift
  local rc=0
  /usr/bin/time -v -o "$RES/$name.time" "$@" >"$RES/$name.out" 2>"$RES/$name.err" || rc=$?
  if [[ $rc -ne 0 && $rc -ne 5 ]]; then
    echo "run.sh: $name failed with exit $rc:" >&2
    tail -5 "$RES/$name.err" >&2
    exit 1
  fi
}

if [[ -z ${KEEP_DB:-} ]]; then
  rm -rf "$BEFUS_DB" "$OMEGA_DB"
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "befus index ($FILES files, --jobs $JOBS)"
measure befus_index "$BEFUS" --kb "$KB" index --quiet --jobs "$JOBS"
log "omindex"
measure omindex "omindex" --db "$OMEGA_DB" --url / --mime-type=md:text/plain "$KB/corpus"
log "no-op re-runs"
measure befus_noop "$BEFUS" --kb "$KB" index --quiet --jobs "$JOBS"
measure omindex_noop "omindex" --db "$OMEGA_DB" --url / --mime-type=md:text/plain "$KB/corpus"
du -sk "$BEFUS_DB" | cut -f1 >"$RES/befus.du"
du -sk "$OMEGA_DB" | cut -f1 >"$RES/omindex.du"

# --- search ------------------------------------------------------------------------------
mapfile -t QS < <(grep -v '^#' "$QUERIES" | grep -v '^[[:space:]]*$')
log "${#QS[@]} queries x $K runs x 3 tools"
# One process per run; the three tools take turns so that they share the machine's load.
# EPOCHREALTIME is a bash builtin: no extra process is timed.
: >"$RES/latency.tsv"
for ((k = 0; k < K; k++)); do
  for q in "${QS[@]}"; do
    t0=$EPOCHREALTIME
    "$BEFUS" --kb "$KB" search "$q" --limit 10 --quiet >/dev/null 2>&1 || true
    t1=$EPOCHREALTIME
    quest -d "$BEFUS_DB" -m 10 "$q" >/dev/null 2>&1 || true
    t2=$EPOCHREALTIME
    quest -d "$OMEGA_DB" -m 10 "$q" >/dev/null 2>&1 || true
    t3=$EPOCHREALTIME
    printf 'befus\t%s\t%s\nquest_befusdb\t%s\t%s\nquest_omegadb\t%s\t%s\n' \
      "$t0" "$t1" "$t1" "$t2" "$t2" "$t3" >>"$RES/latency.tsv"
  done
done
# Hit counts, to show that the tools answer the same questions.
for q in "${QS[@]}"; do
  b=$("$BEFUS" --kb "$KB" search "$q" --limit 10 --format json 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("total", 0))' 2>/dev/null || echo 0)
  qb=$(quest -d "$BEFUS_DB" -m 1 "$q" 2>/dev/null | sed -n 's/^\(Exactly\|About\|Between\) \([0-9]*\).*/\2/p' | head -1)
  qo=$(quest -d "$OMEGA_DB" -m 1 "$q" 2>/dev/null | sed -n 's/^\(Exactly\|About\|Between\) \([0-9]*\).*/\2/p' | head -1)
  printf '%s\t%s\t%s\t%s\n' "$q" "$b" "${qb:-?}" "${qo:-?}"
done >"$RES/hits.tsv"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- table -------------------------------------------------------------------------------
BENCH_DIR="$HERE" python3 - "$RES" "$N" "$FILES" "$CORPUS_BYTES" "$JOBS" "$K" "$LOAD_BEFORE" "$LOAD_AFTER" <<'EOF'
import sys, os, re
res, n, files, corpus_bytes, jobs, k, load0, load1 = sys.argv[1:]
files, corpus_mb = int(files), int(corpus_bytes) / 1e6

sys.path.insert(0, os.environ["BENCH_DIR"])
from measure import gnu_time as read_time, pct

def gnu_time(name):
    return read_time(os.path.join(res, name + ".time"))

b, o = gnu_time("befus_index"), gnu_time("omindex")
bn, on = gnu_time("befus_noop"), gnu_time("omindex_noop")
bdu = int(open(os.path.join(res, "befus.du")).read()) / 1024
odu = int(open(os.path.join(res, "omindex.du")).read()) / 1024
lat = {}
for line in open(os.path.join(res, "latency.tsv")):
    tool, t0, t1 = line.split("\t")
    lat.setdefault(tool, []).append((float(t1) - float(t0)) * 1000)

rows = []  # (metric, befus, other, ratio note)
def row(metric, bv, ov, fmt, lower_is_better=True):
    rows.append((metric, fmt.format(bv), fmt.format(ov), "{:.2f}".format(bv / ov) if ov else "-"))

row("index: wall time (s)", b["wall"], o["wall"], "{:.2f}")
row("index: cpu user+sys (s)", b["cpu"], o["cpu"], "{:.2f}")
row("index: docs/s", files / b["wall"], files / o["wall"], "{:.0f}")
row("index: MB/s", corpus_mb / b["wall"], corpus_mb / o["wall"], "{:.2f}")
row("index: peak RSS (MB)", b["rss_mb"], o["rss_mb"], "{:.1f}")
row("database size (MB)", bdu, odu, "{:.1f}")
row("no-op re-index (s)", bn["wall"], on["wall"], "{:.3f}")
row("no-op peak RSS (MB)", bn["rss_mb"], on["rss_mb"], "{:.1f}")
for p in (50, 95):
    row(f"search p{p} (ms), quest on befus db", pct(lat["befus"], p), pct(lat["quest_befusdb"], p), "{:.2f}")
for p in (50, 95):
    row(f"search p{p} (ms), quest on omindex db", pct(lat["befus"], p), pct(lat["quest_omegadb"], p), "{:.2f}")

print(f"\n{files} documents, {corpus_mb:.1f} MB of Markdown; befus --jobs {jobs}; "
      f"{len(lat['befus'])} runs per tool ({k} per query); load average {load0} -> {load1}\n")
head = ("metric", "befus", "omindex/quest", "befus/other")
w = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
line = lambda r: "  ".join([r[0].ljust(w[0])] + [r[i].rjust(w[i]) for i in range(1, 4)])
print(line(head))
print("  ".join("-" * x for x in w))
for r in rows:
    print(line(r))
print("\nhits per query (befus total | quest on befus db | quest on omindex db):")
for l in open(os.path.join(res, "hits.tsv")):
    q, hb, hq, ho = l.rstrip("\n").split("\t")
    print(f"  {q:<34} {hb:>8} {hq:>8} {ho:>8}")
EOF
log "results in $RES"
