# Shared by the hardening scripts: a generated knowledge base and the checks run after each blow.
# Sourced, not run. Needs BEFUS (the executable) and BEFUS_SOURCE (the repository) in the environment.

set -euo pipefail

: "${BEFUS:?set BEFUS to the befus executable}"
: "${BEFUS_SOURCE:?set BEFUS_SOURCE to the repository}"

# Exit status CTest reads as "skipped" (SKIP_RETURN_CODE in tests/process/hardening.cmake).
readonly SKIP=77

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
skip() {
  echo "SKIP: $*"
  exit $SKIP
}
note() { echo "-- $*"; }

# A scratch folder removed on exit; everything a test writes lives in it.
scratch() {
  T=$(mktemp -d "${TMPDIR:-/tmp}/befus-hardening-XXXXXX")
  trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
}

# True when the installed befus knows the command (classify, import, ... may not exist yet).
has_command() {
  "$BEFUS" "$@" --help >/dev/null 2>&1
}

themes=(migrant-inclusion feeling-of-insecurity youth-integration social-cohesion radicalisation
        domestic-violence administrative-sanctions nightlife-safety housing victim-support)
langs=(nl fr en)
declare -A words=(
  [nl]="buurt preventie jongeren veiligheid stad samenwerking gemeente bewoners aanpak overlast"
  [fr]="quartier prévention jeunes sécurité ville partenariat commune habitants approche nuisances"
  [en]="neighbourhood prevention youth safety city partnership municipality residents approach nuisance"
)

# The body of generated document i; its last line is a sentinel that proves the file is whole.
doc_body() {
  local i=$1 lang=$2
  local w=(${words[$lang]})
  printf '# Generated document %d\n\n' "$i"
  local p
  for p in 1 2 3; do
    printf '%s %s %s %s %s %s %s.\n' "${w[$(((i + p) % 10))]}" "${w[$(((i * 3 + p) % 10))]}" "${w[$(((i * 7) % 10))]}" \
      "${w[$((p % 10))]}" "${w[$(((i / 7 + p) % 10))]}" "${w[$(((i / 3) % 10))]}" "word$i"
  done
  printf '\nend-of-document gen-%05d\n' "$i"
}

# Document i as Markdown with front matter.
doc_markdown() {
  local i=$1 theme=${2:-${themes[$(($1 % ${#themes[@]}))]}}
  local lang=${langs[$(($1 % 3))]}
  printf -- '---\nid: gen-%05d\ntitle: Generated document %d\nlang: %s\nyear: %d\ntype: publication\n' \
    "$i" "$i" "$lang" $((2000 + i % 24))
  printf 'partners: [befus]\nthemes: [%s]\n---\n' "$theme"
  doc_body "$i" "$lang"
}

# make_kb DIR N [THEME]: a knowledge base with the repository's tree and N generated documents.
make_kb() {
  local dir=$1 n=$2 theme=${3:-}
  mkdir -p "$dir/taxonomy" "$dir/corpus/gen"
  cp "$BEFUS_SOURCE"/taxonomy/{befus,actors,funding}.yaml "$dir/taxonomy/"
  cp "$BEFUS_SOURCE/befus.yaml" "$dir/befus.yaml"
  local i
  for ((i = 1; i <= n; i++)); do
    doc_markdown "$i" $theme >"$dir/corpus/gen/gen-$(printf %05d "$i").md"
  done
}

# The number of documents in an index, from Xapian's own tool.
doc_count() {
  xapian-delve "$1" | sed -n 's/^number of documents = //p'
}

check_index() {
  local index=$1
  [ -d "$index" ] || return 0
  xapian-check "$index" >"$T/xapian-check.log" 2>&1 || { cat "$T/xapian-check.log" >&2; fail "xapian-check found damage in $index"; }
}

# Every Markdown file under DIR must be whole: front matter closed and the sentinel as last line.
check_sources_whole() {
  local bad
  bad=$(find "$1" -name '*.md' -print0 | perl -0 -ne '
    chomp; my $f = $_; open(my $h, "<", $f) or do { print "unreadable: $f\n"; next };
    local $/; my $t = <$h>; close $h;
    print "half-written: $f\n" unless $t =~ /\A---\r?\n.*?^---\r?$/ms && $t =~ /^end-of-[^\n]*\n?\z/m;')
  [ -z "$bad" ] || { echo "$bad" | sed -n '1,10p' >&2; fail "$(echo "$bad" | wc -l) source files are truncated or half-written"; }
}

# A fingerprint of every file under DIR (names and contents), to prove nothing changed.
fingerprint() {
  (cd "$1" && find . -type f -not -path './.befus/*' -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-40)
}

# Milliseconds since the epoch.
now_ms() { date +%s%3N; }
