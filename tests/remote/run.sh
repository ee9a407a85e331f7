#!/usr/bin/env bash
# Same answers from one database, three local shards and three remote shards served by
# xapian-tcpsrv on loopback; clear errors (exit 4, bounded time) when a server is down or stuck.
# Usage: run.sh BEFUS SOURCE_DIR
set -euo pipefail
befus=$1
src=$2
work=$(mktemp -d /tmp/befus-remote-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
serve() {  # serve PORT ARGS... ; waits until the port accepts connections
  local port=$1; shift
  # Its own session: xapian-tcpsrv signals its whole process group when it is stopped.
  setsid xapian-tcpsrv --interface 127.0.0.1 --port "$port" --quiet "$@" > /dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "xapian-tcpsrv did not start on port $port" >&2; return 1
}
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$work/kb"
cp -r "$src/taxonomy" "$src/corpus" "$src/befus.yaml" "$work/kb/"
kb=(--kb "$work/kb")

"$befus" "${kb[@]}" --db "$work/single" --quiet index > /dev/null
"$befus" "${kb[@]}" --db "$work/sharded" --quiet index --shards 3 > /dev/null
[ -f "$work/sharded" ] || fail "no stub file written for the shards"
for k in 0 1 2; do port=$(free_port); serve "$port" "$work/sharded.shards/$k"; echo "remote 127.0.0.1:$port" >> "$work/remote.stub"; done

# Every answer must be the same from all three; only the index location in status differs.
normalise() { python3 -c 'import json,sys; j=json.load(sys.stdin); [j.pop(k, None) for k in ("index","bytes","seconds")]; print(json.dumps(j, sort_keys=True))'; }
check_same() {
  local a b c
  a=$("$befus" "${kb[@]}" --db "$work/single" --format json "$@" | normalise)
  b=$("$befus" "${kb[@]}" --db "$work/sharded" --format json "$@" | normalise)
  c=$("$befus" "${kb[@]}" --db "$work/remote.stub" --format json "$@" | normalise)
  [ "$a" = "$b" ] || fail "local shards differ from one database for: $*"
  [ "$a" = "$c" ] || fail "remote shards differ from one database for: $*"
  echo "same: $*"
}
check_same search onveiligheidsgevoel --facets --limit 20
check_same search "violences conjugales" --facets --limit 20
check_same search jongeren --limit 50
check_same search --theme inclusion --facets --limit 100 --sort year
check_same search "media year:2005..2012" --limit 20
check_same show onveiligheidsgevoel-media-2008
check_same together feeling-of-insecurity
check_same together inclusion
check_same who befus

# A server that is not there: exit 4 at once, naming the address.
dead=$(free_port)
set +e
out=$("$befus" "${kb[@]}" --db "tcp://127.0.0.1:$dead" search x 2>&1); code=$?
set -e
[ "$code" = 4 ] || fail "down server: exit $code, expected 4 ($out)"
grep -q "unreachable" <<< "$out" || fail "down server: unclear message: $out"
echo "down server: exit 4"

# A server that accepts but never answers: exit 4 within the timeout, not a hang.
stuck=$(free_port); serve "$stuck" "$work/single"; kill -STOP "${pids[-1]}"
start=$(date +%s)
set +e
out=$(timeout 60 "$befus" "${kb[@]}" --timeout 2 --db "tcp://127.0.0.1:$stuck" search x 2>&1); code=$?
set -e
elapsed=$(( $(date +%s) - start ))
[ "$code" = 4 ] || fail "stuck server: exit $code, expected 4 ($out)"
[ "$elapsed" -le 15 ] || fail "stuck server: took $elapsed s with --timeout 2"
kill -CONT "${pids[-1]}"
echo "stuck server: exit 4 after ${elapsed}s"

# Writing through a writable server works; a read-only server refuses clearly.
"$befus" "${kb[@]}" --db "$work/served" --quiet index > /dev/null
rm -rf "$work/kb/corpus/en"  # the remote index must notice deletions too
rw=$(free_port); serve "$rw" --writable "$work/served"
"$befus" "${kb[@]}" --db "tcp://127.0.0.1:$rw" --format json index | python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["removed"] == 20 and j["failed"] == 0, j' \
  || fail "index through a writable server"
echo "remote index: 20 removed"
# A stub of two writable servers over empty databases: each document goes to its shard through
# its server, and the served index answers as the local one does.
for k in 0 1; do port=$(free_port); serve "$port" --writable "$work/rw-$k"; echo "remote 127.0.0.1:$port" >> "$work/rw.stub"; done
cp -r "$src/corpus/en" "$work/kb/corpus/"
"$befus" "${kb[@]}" --db "$work/rw.stub" --format json index | python3 -c 'import json,sys; j=json.load(sys.stdin); assert j["added"] == 72 and j["failed"] == 0, j' \
  || fail "index through a stub of two writable servers"
grep -q '^remote 127.0.0.1:' "$work/rw.stub" || fail "the remote stub was rewritten"
for q in onveiligheidsgevoel securite "jongeren lang:nl"; do
  a=$("$befus" "${kb[@]}" --db "$work/single" --format json search "$q" --facets | normalise)
  b=$("$befus" "${kb[@]}" --db "$work/rw.stub" --format json search "$q" --facets | normalise)
  [ "$a" = "$b" ] || fail "search '$q' differs between the local index and two written remote shards"
done
echo "remote shards written through two servers: 72 added, same answers"
ro=$(free_port); serve "$ro" "$work/single"
set +e
out=$("$befus" "${kb[@]}" --db "tcp://127.0.0.1:$ro" index 2>&1); code=$?
set -e
[ "$code" = 4 ] || fail "read-only server: exit $code, expected 4 ($out)"
echo "read-only server: exit 4 ($out)"
echo "remote-checks-passed"
