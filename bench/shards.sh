#!/usr/bin/env bash
# befus with its index split over 1, 2 and 4 shards, local and served by xapian-tcpsrv.
#
#   bench/shards.sh [N]     N documents (default 10000)
#
# For each shard count S:
#   - local:  `befus index --quiet --shards S` on an empty index (wall time, peak RSS, docs/s);
#   - remote: S `xapian-tcpsrv --writable` servers on loopback over empty databases, a stub
#             file listing them, and `befus --db STUB index --quiet`, timed the same way. A befus
#             older than commit cf89b1e refuses such a stub (exit 2); the refusal is reported,
#             and for S = 1 the same work is then timed through `--db tcp://HOST:PORT`.
# Then the local shards are served read-only (one xapian-tcpsrv per shard) and every query of
# bench/queries.txt runs K times as a whole process against the local stub and the remote
# stub of every S, the configurations taking turns per query so that they share the load;
# p50 and p95 per configuration. Before that, three queries must give the same JSON from the
# local and the remote stub of each S (the script stops with exit 1 if they do not).
#
# Environment:
#   BEFUS=path    the befus binary (default $PWD/build-bench/befus; build it Release)
#   WORK=dir      work folder (default /tmp/befus-shards-N); everything is written there
#   K=n           runs of each query per configuration (default 5)
#   SHARDS="1 2 4" the shard counts
#   QUERIES=file  the query list (default bench/queries.txt)
#   REMOTE_INDEX=0  skip indexing through writable servers (the search part still serves the
#                 local shards); those rows then say "not run"
#   TIMEOUT=s     befus --timeout for indexing through a server (default 600: a commit of
#                 2,000 documents over loopback can take longer than the default 10 s)
#
# The corpus comes from gen_corpus.py, kept in WORK/kb and regenerated only when N, the
# generator or the taxonomy changed; a matching corpus of bench/run.sh (/tmp/befus-bench-N/kb)
# is copied instead of generated. Needs xapian-tcpsrv and xapian-delve (xapian-tools), GNU
# time at /usr/bin/time, python3 and bash >= 5 (EPOCHREALTIME). Builds nothing; every server
# it starts is stopped on exit, whatever the exit.
set -euo pipefail

N=${1:-10000}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BEFUS=${BEFUS:-$PWD/build-bench/befus}
WORK=${WORK:-/tmp/befus-shards-$N}
K=${K:-5}
SHARDS=${SHARDS:-1 2 4}
QUERIES=${QUERIES:-$HERE/queries.txt}
TIMEOUT=${TIMEOUT:-600}
REMOTE_INDEX=${REMOTE_INDEX:-1}

die() { echo "shards.sh: $*" >&2; exit 2; }
[[ -x $BEFUS ]] || die "no befus binary at $BEFUS (build with -DCMAKE_BUILD_TYPE=Release, or set BEFUS=)"
command -v xapian-tcpsrv >/dev/null || die "xapian-tcpsrv not found: apt-get install xapian-tools"
command -v xapian-delve >/dev/null || die "xapian-delve not found: apt-get install xapian-tools"
[[ -x /usr/bin/time ]] || die "GNU time not found: apt-get install time"
[[ -n ${EPOCHREALTIME:-} ]] || die "bash 5 or later needed (EPOCHREALTIME)"
[[ $N =~ ^[0-9]+$ && $N -gt 0 ]] || die "N must be a positive number of documents"
[[ $K =~ ^[0-9]+$ && $K -gt 0 ]] || die "K must be a positive number of runs"
BEFUS=$(realpath "$BEFUS")

KB=$WORK/kb
RES=$WORK/results
mkdir -p "$WORK" "$RES"
rm -f "$RES"/*

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# --- servers -----------------------------------------------------------------------------
# Each xapian-tcpsrv runs in its own session: when stopped it signals its whole process
# group, which must not be this script's. setsid execs in place (a background job is not a
# group leader), so $! is the server itself and can be waited for.
pids=()
stop_servers() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap stop_servers EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
serve() {  # serve PORT ARGS...: starts a server and waits until the port accepts connections
  local port=$1
  shift
  setsid xapian-tcpsrv --interface 127.0.0.1 --port "$port" --quiet "$@" >>"$RES/tcpsrv.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    # Ready when it sends its greeting. Each probe leaves one 'read failed' line in the log.
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2).recv(1)" 2>/dev/null && return 0
    sleep 0.1
  done
  die "xapian-tcpsrv did not start on port $port ($*)"
}

# --- corpus ------------------------------------------------------------------------------
GEN_SUM=$(cat "$HERE/gen_corpus.py" "$HERE"/../taxonomy/{befus,actors,funding}.yaml | md5sum | cut -c1-12)
BENCH_KB=/tmp/befus-bench-$N/kb
if [[ ! -f $KB/.generated || $(cat "$KB/.generated") != "$N $GEN_SUM" ]]; then
  rm -rf "$KB"
  if [[ -f $BENCH_KB/.generated && $(cat "$BENCH_KB/.generated") == "$N $GEN_SUM" ]]; then
    # The same bytes as generating them again; only the files, not run.sh's index.
    log "copying the $N documents of $BENCH_KB into $KB"
    mkdir -p "$KB"
    cp -r "$BENCH_KB/corpus" "$BENCH_KB/taxonomy" "$BENCH_KB/befus.yaml" "$KB/"
  else
    log "generating $N documents into $KB"
    python3 "$HERE/gen_corpus.py" "$N" "$KB" --jobs "$(nproc)"
  fi
  echo "$N $GEN_SUM" >"$KB/.generated"
fi
FILES=$(find "$KB/corpus" -name '*.md' | wc -l)
# Every run reads from a warm page cache: the files are read once here.
find "$KB/corpus" -name '*.md' -print0 | xargs -0 cat >/dev/null
# befus keeps a taxonomy cache under KB/.befus: made here, so that no timed run pays for it.
"$BEFUS" --kb "$KB" --quiet taxonomy show >/dev/null 2>&1 || true

# --- indexing ----------------------------------------------------------------------------
# measure NAME CMD...: runs CMD under GNU time into $RES/NAME.{time,out,err}; returns its exit
# status, except that 5 (some files failed) counts as success as in run.sh.
measure() {
  local name=$1
  shift
  local rc=0
  /usr/bin/time -v -o "$RES/$name.time" "$@" >"$RES/$name.out" 2>"$RES/$name.err" || rc=$?
  [[ $rc -eq 5 ]] && rc=0
  return "$rc"
}
must() {  # must NAME CMD...: measure, or stop with the command's last words
  local rc=0
  measure "$@" || rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "shards.sh: $1 failed with exit $rc:" >&2
    tail -5 "$RES/$1.err" >&2
    exit 1
  fi
}
doc_count() { xapian-delve "$1" | sed -n 's/^number of documents = //p'; }
expect_docs() {  # expect_docs NAME DB: every file must have become a document
  local n
  n=$(doc_count "$2")
  [[ $n == "$FILES" ]] || { echo "shards.sh: $1: $n documents for $FILES files" >&2; exit 1; }
}

LOAD_START=$(load)
for S in $SHARDS; do
  # Local: the stub (or, for S = 1, the database) at WORK/local-S/index.
  rm -rf "$WORK/local-$S"
  mkdir -p "$WORK/local-$S"
  log "local, $S shard(s): befus index --shards $S ($FILES files)"
  must "index_local_$S" "$BEFUS" --kb "$KB" --db "$WORK/local-$S/index" index --quiet --shards "$S"
  expect_docs "local $S" "$WORK/local-$S/index"

  # Remote: S writable servers over empty databases, joined by a stub file.
  [[ $REMOTE_INDEX == 1 ]] || continue
  rm -rf "$WORK/remote-$S"
  mkdir -p "$WORK/remote-$S"
  stub=$WORK/remote-$S/index.stub
  : >"$stub"
  ports=()
  for ((k = 0; k < S; k++)); do
    port=$(free_port)
    # A generous server timeout: an indexing transaction may pause while befus extracts files.
    serve "$port" --writable --timeout 600000 "$WORK/remote-$S/$k"
    ports+=("$port")
    echo "remote 127.0.0.1:$port" >>"$stub"
  done
  log "remote, $S shard(s): befus --db $stub index"
  rc=0
  measure "index_remote_$S" "$BEFUS" --kb "$KB" --db "$stub" --timeout "$TIMEOUT" index --quiet || rc=$?
  if [[ $rc -eq 0 ]]; then
    stop_servers
    for ((k = 0; k < S; k++)); do echo "auto $k"; done >"$WORK/remote-$S/local.stub"
    expect_docs "remote $S" "$WORK/remote-$S/local.stub"
  else
    # Exit 2 is befus refusing the layout (a usage error); anything else is a real failure.
    if [[ $rc -ne 2 ]]; then
      echo "shards.sh: index_remote_$S failed with exit $rc:" >&2
      tail -5 "$RES/index_remote_$S.err" >&2
      exit 1
    fi
    # Kept for the table: befus's own words.
    { echo "exit $rc"; head -3 "$RES/index_remote_$S.err"; } >"$RES/index_remote_$S.refused"
    log "  refused (exit $rc): $(head -1 "$RES/index_remote_$S.err")"
    rm -f "$RES/index_remote_$S.time"
    if [[ $S -eq 1 ]]; then
      log "remote, 1 shard: befus --db tcp://127.0.0.1:${ports[0]} index"
      must index_remote_1 "$BEFUS" --kb "$KB" --db "tcp://127.0.0.1:${ports[0]}" --timeout "$TIMEOUT" index --quiet
      echo "tcp" >"$RES/index_remote_1.via"
      stop_servers
      expect_docs "remote 1" "$WORK/remote-1/0"
    fi
    stop_servers
  fi
done
LOAD_INDEXED=$(load)

# --- search ------------------------------------------------------------------------------
# One read-only server per local shard; WORK/remote-S.stub lists them.
for S in $SHARDS; do
  stub=$WORK/remote-$S.stub
  : >"$stub"
  if [[ $S -eq 1 ]]; then dbs=("$WORK/local-1/index"); else dbs=("$WORK/local-$S/index.shards"/*); fi
  [[ ${#dbs[@]} -eq $S ]] || die "expected $S shard databases under $WORK/local-$S, found ${#dbs[@]}"
  for db in "${dbs[@]}"; do
    port=$(free_port)
    serve "$port" "$db"
    echo "remote 127.0.0.1:$port" >>"$stub"
  done
done

# Local and remote shards must answer alike, byte for byte: hits, order, totals, facets and
# the expanded query (befus widens it from the tree it loads, since servers carry no synonyms).
CHECK=(onveiligheidsgevoel "violences conjugales" "youth OR jeunes OR jongeren")
for S in $SHARDS; do
  for q in "${CHECK[@]}"; do
    a=$("$BEFUS" --kb "$KB" --db "$WORK/local-$S/index" --format json search "$q" --limit 10 --facets)
    b=$("$BEFUS" --kb "$KB" --db "$WORK/remote-$S.stub" --format json search "$q" --limit 10 --facets)
    if [[ $a != "$b" ]]; then
      echo "shards.sh: $S shard(s): local and remote results differ for: $q" >&2
      diff <(python3 -m json.tool <<<"$a" 2>&1) <(python3 -m json.tool <<<"$b" 2>&1) | head -20 >&2 || true
      exit 1
    fi
  done
  echo "$S shard(s): local and remote stubs give identical JSON for ${#CHECK[@]} queries"
done

mapfile -t QS < <(grep -v '^#' "$QUERIES" | grep -v '^[[:space:]]*$')
CONFIGS=()
for S in $SHARDS; do CONFIGS+=("local $S" "remote $S"); done
log "${#QS[@]} queries x $K runs x ${#CONFIGS[@]} configurations"
# One process per run; for each query every configuration takes its turn before the next
# query, so that they share whatever load the machine has. EPOCHREALTIME is a bash builtin.
: >"$RES/latency.tsv"
for ((k = 0; k < K; k++)); do
  for q in "${QS[@]}"; do
    for c in "${CONFIGS[@]}"; do
      read -r where S <<<"$c"
      if [[ $where == local ]]; then db=$WORK/local-$S/index; else db=$WORK/remote-$S.stub; fi
      rc=0
      t0=$EPOCHREALTIME
      "$BEFUS" --kb "$KB" --db "$db" search "$q" --limit 10 --quiet >/dev/null 2>&1 || rc=$?
      t1=$EPOCHREALTIME
      # Exit 1 is "nothing found"; anything else would time an error, not a search.
      [[ $rc -le 1 ]] || die "$c: search '$q' failed with exit $rc"
      printf '%s\t%s\t%s\t%s\n' "$S" "$where" "$t0" "$t1" >>"$RES/latency.tsv"
    done
  done
  if [[ $k -eq 0 ]]; then LOAD_SEARCH=$(load); fi
done
stop_servers
LOAD_END=$(load)

# --- table -------------------------------------------------------------------------------
BENCH_DIR="$HERE" python3 - "$RES" "$FILES" "$K" "$SHARDS" "$LOAD_START" "$LOAD_INDEXED" "$LOAD_SEARCH" "$LOAD_END" <<'EOF'
import sys, os, re
res, files, k, shards = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split()
loads = sys.argv[5:]

sys.path.insert(0, os.environ["BENCH_DIR"])
from measure import gnu_time as read_time, pct

def gnu_time(name):
    return read_time(os.path.join(res, name + ".time"))

lat = {}
for line in open(os.path.join(res, "latency.tsv")):
    s, where, t0, t1 = line.rstrip("\n").split("\t")
    lat.setdefault((s, where), []).append((float(t1) - float(t0)) * 1000)

rows, notes = [], {}
for s in shards:
    for where in ("local", "remote"):
        name = f"index_{where}_{s}"
        t = gnu_time(name)
        label = where
        if where == "remote" and os.path.exists(os.path.join(res, name + ".via")):
            label = "remote (tcp://)"
        if t:
            idx = [f"{files / t['wall']:.0f}", f"{t['wall']:.2f}", f"{t['rss_mb']:.1f}"]
        else:
            idx = ["refused" if os.path.exists(os.path.join(res, name + ".refused")) else "not run"] * 3
        refused = os.path.join(res, name + ".refused")
        if os.path.exists(refused):
            # One note per message, with the shard counts that got it (paths made generic).
            text = " / ".join(l.strip() for l in open(refused) if l.strip())
            text = re.sub(r"\S*/remote-\d+/index\.stub", "STUB", text)
            notes.setdefault(text, []).append(s)
        xs = lat[(s, where)]
        rows.append([s, label] + idx + [f"{pct(xs, 50):.2f}", f"{pct(xs, 95):.2f}"])

print(f"\n{files} documents; {k} runs per query and configuration "
      f"({len(next(iter(lat.values())))} per configuration); load average: "
      f"start {loads[0]}, after indexing {loads[1]}, during search {loads[2]}, end {loads[3]}\n")
head = ["shards", "where", "index docs/s", "index wall s", "peak RSS MB", "search p50 ms", "p95 ms"]
w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
line = lambda r: "  ".join([r[0].ljust(w[0]), r[1].ljust(w[1])] + [r[i].rjust(w[i]) for i in range(2, len(r))])
print(line(head))
print("  ".join("-" * x for x in w))
for r in rows:
    print(line(r))
for text, ss in notes.items():
    print(f"\nbefus --db STUB index, STUB listing {'/'.join(ss)} remote shard(s): {text}")
EOF
log "results in $RES"
