#!/usr/bin/env bash
# Hostile and broken input, table-driven: each case builds its input in a fresh scratch folder,
# runs one befus command under a time bound and checks the exit code and the message.
# After every case nothing outside the knowledge base's index may have changed.
#
#   hostile.sh CASE       run one case (CTest runs each as hardening.hostile.CASE)
#   hostile.sh --all      run every case and print the table: case, expected, observed
#   hostile.sh --list     the case names
#
# BEFUS and BEFUS_SOURCE come from the environment; HOSTILE_BOUND (seconds, default 60) is the
# time a case may take. Big inputs are generated here, in the scratch folder, never committed.
source "$(dirname "$0")/common.sh"
here=$(cd "$(dirname "$0")" && pwd)

# The table. Columns: case | exit code | text the output must contain | command ("befus" means the
# executable with --kb pointing at the case's knowledge base). tests/process/hardening.cmake reads
# the case names from these lines.
table() {
  cat <<'EOF'
yaml-aliases-tree          | 3 | 'keywords.en' must be a text                  | befus taxonomy validate "$T/in/laughs.yaml"
yaml-aliases-children      | 3 | more than 20000 nodes (aliases?)               | befus taxonomy validate "$T/in/laughs.yaml"
yaml-aliases-front-matter  | 5 | metadata expands to too many values            | befus index
yaml-aliases-config        | 3 | corpus entries must be folder paths            | befus taxonomy validate
yaml-nesting-flow-tree     | 3 | nesting deeper than 100 levels                 | befus taxonomy validate "$T/in/deep.yaml"
yaml-nesting-block-tree    | 3 | nesting deeper than 100 levels                 | befus taxonomy validate "$T/in/deep.yaml"
yaml-nesting-indent-tree   | 3 | nesting deeper than 100 levels                 | befus taxonomy validate "$T/in/deep.yaml"
yaml-nesting-front-matter  | 5 | nesting deeper than 100 levels                 | befus index
yaml-nesting-sidecar       | 5 | nesting deeper than 100 levels                 | befus index
yaml-nesting-config        | 3 | nesting deeper than 100 levels                 | befus taxonomy validate
big-500mb-tree             | 3 | more than the limit                            | befus taxonomy validate "$T/in/big.yaml"
big-500mb-document         | 5 | more than the limit                            | befus index
big-500mb-sidecar          | 5 | more than the limit                            | befus index
big-500mb-config           | 3 | more than the limit                            | befus taxonomy validate
nul-tree                   | 3 | NUL byte                                       | befus taxonomy validate "$T/in/nul.yaml"
nul-markdown               | 5 | binary content (NUL byte)                      | befus index
nul-html                   | 5 | binary content (NUL byte)                      | befus index
nul-text                   | 5 | binary content (NUL byte)                      | befus index
nul-sidecar                | 5 | NUL byte                                       | befus index
utf8-tree-id               | 3 | invalid UTF-8                                  | befus taxonomy validate "$T/in/bad.yaml"
utf8-tree-label            | 3 | invalid UTF-8                                  | befus taxonomy validate "$T/in/bad.yaml"
utf8-document-id           | 5 | invalid UTF-8                                  | befus index
utf8-sidecar-title         | 5 | not valid UTF-8                                | befus index
utf8-query                 | 2 | not valid UTF-8                                | befus search "$QUERY"
id-slash-tree              | 3 | is not a slug                                  | befus taxonomy validate "$T/in/bad.yaml"
id-dotdot-tree             | 3 | is not a slug                                  | befus taxonomy validate "$T/in/bad.yaml"
id-space-tree              | 3 | is not a slug                                  | befus taxonomy validate "$T/in/bad.yaml"
id-slash-actor             | 3 | is not a valid id                              | befus taxonomy validate
id-slash-document          | 5 | id 'a/b' is not valid                          | befus index
id-dotdot-document         | 5 | id '../../outside/x' is not valid              | befus index
id-space-document          | 5 | id 'two words' is not valid                    | befus index
id-dotdot-show             | 1 | no document                                    | befus show ../../outside/x
symlink-loop               | 0 | broken link or unreadable                      | befus index
symlink-outside            | 0 | link leads outside the knowledge base          | befus index
fifo-document              | 0 | not a regular file                             | befus index
fifo-sidecar               | 0 | 5 added                                        | befus index
fifo-tree                  | 3 | not a regular file                             | befus taxonomy validate "$T/in/pipe.yaml"
fifo-config                | 3 | not a regular file                             | befus taxonomy validate
device-document            | 0 | not a regular file                             | befus index
device-tree                | 3 | not a regular file                             | befus taxonomy validate /dev/zero
unreadable-document        | 5 | Permission denied                              | befus index
unreadable-tree            | 3 | Permission denied                              | befus taxonomy validate
newline-document           | 0 | file name contains a newline                   | befus index
newline-kb                 | 0 | 5 added                                        | befus index
pdf-bomb-pages             | 0 | 6 added                                        | befus index
pdf-bomb-deflate           | 5 | (a PDF bomb?); skipped                         | befus index
html-1m-nested             | 5 | more than the 1000 befus reads                 | befus index
markdown-100k-nested       | 0 | 7 added                                        | befus index
huge-word-title            | 0 | 6 added                                        | befus index
query-100k                 | 2 | query is too long                              | befus search "$QUERY"
query-100k-filter          | 2 | query is too long                              | befus search "$QUERY"
query-100k-quotes          | 2 | query is too long                              | befus search "$QUERY"
query-nested-parentheses   | 1 | 0 documents                                    | befus search "$QUERY"
EOF
}

# ---- helpers for the inputs ----

repeat() { # repeat TEXT N: TEXT N times, no newline
  perl -e 'print $ARGV[0] x $ARGV[1]' -- "$1" "$2"
}

# A YAML document whose last alias expands to 10^9 values.
laughs() {
  local prev=x name i
  i=0
  for name in a b c d e f g h i; do
    printf '%s: &%s [%s]\n' "$name" "$name" "$(perl -e 'print join(",", ($ARGV[0]) x 10)' -- "$prev")"
    prev="*$name"
  done
}

gen=corpus/gen
kbfile() { printf '%s/%s' "$kb" "$1"; }

# Perl that prints a PDF on stdout from its objects @o (numbered from 1): header, objects,
# cross-reference table, trailer. Each generator below fills @o and appends this.
pdf_write='
    my $out = "%PDF-1.4\n"; my @off;
    for my $i (1..$#o) { $off[$i] = length($out); $out .= "$i 0 obj\n$o[$i]\nendobj\n"; }
    my $x = length($out);
    $out .= "xref\n0 " . ($#o + 1) . "\n0000000000 65535 f \n";
    $out .= sprintf("%010d 00000 n \n", $off[$_]) for 1..$#o;
    $out .= "trailer\n<< /Size " . ($#o + 1) . " /Root 1 0 R >>\nstartxref\n$x\n%%EOF\n";
    binmode STDOUT; print $out;'

# Ten levels of page tree announcing 10^10 pages.
pdf_pages_bomb() {
  perl -e '
    my @o;
    $o[1] = "<< /Type /Catalog /Pages 2 0 R >>";
    # Ten levels of ten identical kids each: 10^10 pages announced in a few hundred bytes.
    for my $l (0..9) {
      my $id = 2 + $l; my $kid = 3 + $l;
      my $kids = join(" ", ("$kid 0 R") x 10);
      $o[$id] = "<< /Type /Pages /Kids [$kids] /Count " . (10 ** (10 - $l)) . " >>";
    }
    $o[12] = "<< /Type /Page /Parent 11 0 R /MediaBox [0 0 612 792] /Contents 13 0 R /Resources << /Font << /F1 14 0 R >> >> >>";
    my $s = "BT /F1 12 Tf 72 720 Td (page bomb) Tj ET";
    $o[13] = "<< /Length " . length($s) . " >>\nstream\n$s\nendstream";
    $o[14] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
'"$pdf_write"
}

# One page whose compressed content stream inflates to about a gigabyte of text operators.
pdf_deflate_bomb() {
  perl -MCompress::Zlib -e '
    my $d = deflateInit(-Level => 9) or die;
    my $z = "";
    my ($chunk) = ("BT /F1 12 Tf 72 720 Td (" . ("A" x 60) . ") Tj ET\n") x 1;
    $chunk = $chunk x 10000;
    my ($o, $st) = $d->deflate("");
    for (1 .. 1500) { ($o, $st) = $d->deflate($chunk); $z .= $o; }
    ($o, $st) = $d->flush(); $z .= $o;
    my @o;
    $o[1] = "<< /Type /Catalog /Pages 2 0 R >>";
    $o[2] = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
    $o[3] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>";
    $o[4] = "<< /Length " . length($z) . " /Filter /FlateDecode >>\nstream\n$z\nendstream";
    $o[5] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
'"$pdf_write"
}

tree_with() { # a valid one-pillar tree with one node line replaced by $1 (id) and $2 (label)
  printf 'levels: [phenomenon, theme]\nnodes:\n  - id: %s\n    label: {en: %s}\n    why: {en: Because.}\n' "$1" "$2"
}

# ---- setups, one per case that needs more than the base knowledge base ----

setup_yaml_aliases_tree() { { laughs; printf 'nodes:\n  - id: p\n    label: {en: P}\n    why: {en: x}\n    keywords: {en: *i}\n'; } >"$T/in/laughs.yaml"; }
setup_yaml_aliases_children() {
  # Each level's node has ten copies of the level below as children: 10^8 nodes on paper.
  {
    printf 'levels: [a, b, c, d, e, f, g, h, i]\nl0: &l0 {id: leaf, label: {en: Leaf}}\n'
    local l
    for l in 1 2 3 4 5 6 7 8; do
      printf 'l%d: &l%d {id: n%d, label: {en: N%d}, children: [%s]}\n' $l $l $l $l "$(perl -e 'print join(",", ($ARGV[0]) x 10)' -- "*l$((l - 1))")"
    done
    printf 'nodes: [{id: top, label: {en: Top}, why: {en: x}, children: [*l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8]}]\n'
  } >"$T/in/laughs.yaml"
}
setup_yaml_aliases_front_matter() { { printf -- '---\nid: laughs\n'; laughs; printf 'extra: *i\n---\nBody.\nend-of-document\n'; } >"$(kbfile $gen/laughs.md)"; }
setup_yaml_aliases_config() { { laughs; printf 'taxonomy: taxonomy/befus.yaml\ncorpus: *i\n'; } >"$kb/befus.yaml"; }
setup_yaml_nesting_flow_tree() { { printf 'nodes: '; repeat '[' 100000; } >"$T/in/deep.yaml"; }
setup_yaml_nesting_block_tree() { { printf 'nodes:\n'; repeat '- ' 100000; printf 'x\n'; } >"$T/in/deep.yaml"; }
setup_yaml_nesting_indent_tree() {
  # Indentation alone: each line one level deeper (1000 lines; 100k would be 10 GB of spaces).
  awk 'BEGIN { print "nodes:"; s = ""; for (i = 0; i < 1000; i++) { print s "k" i ":"; s = s "  " } }' >"$T/in/deep.yaml"
}
setup_yaml_nesting_front_matter() { { printf -- '---\nid: deep\nx: '; repeat '{a: ' 100000; printf '\n---\nBody.\n'; } >"$(kbfile $gen/deep.md)"; }
setup_yaml_nesting_sidecar() {
  printf 'Plain text body.\n' >"$(kbfile $gen/deep.txt)"
  { printf 'title: '; repeat '[' 100000; printf '\n'; } >"$(kbfile $gen/deep.txt.yaml)"
}
setup_yaml_nesting_config() { { printf 'corpus: '; repeat '[' 100000; printf '\n'; } >"$kb/befus.yaml"; }
setup_big_500mb_tree() { truncate -s 500M "$T/in/big.yaml"; }
setup_big_500mb_document() { truncate -s 500M "$(kbfile $gen/big.md)"; }
setup_big_500mb_sidecar() { printf 'Body.\n' >"$(kbfile $gen/big.txt)"; truncate -s 500M "$(kbfile $gen/big.txt.yaml)"; }
setup_big_500mb_config() { truncate -s 500M "$kb/befus.yaml"; }
setup_nul_tree() { printf 'levels: [phenomenon]\nnodes:\n  - id: p\n    label: {en: "A\0B"}\n    why: {en: x}\n' >"$T/in/nul.yaml"; }
setup_nul_markdown() { printf -- '---\nid: nul\n---\nBefore\0after\n' >"$(kbfile $gen/nul.md)"; }
setup_nul_html() { printf '<html><body><p>Before\0after</p></body></html>\n' >"$(kbfile $gen/nul.html)"; }
setup_nul_text() { printf 'Before\0after\n' >"$(kbfile $gen/nul.txt)"; }
setup_nul_sidecar() { printf 'Body.\n' >"$(kbfile $gen/nul.txt)"; printf 'title: "a\0b"\n' >"$(kbfile $gen/nul.txt.yaml)"; }
setup_utf8_tree_id() { printf 'levels: [phenomenon]\nnodes:\n  - id: caf\xc3\n    label: {en: Cafe}\n    why: {en: x}\n' >"$T/in/bad.yaml"; }
setup_utf8_tree_label() { printf 'levels: [phenomenon]\nnodes:\n  - id: cafe\n    label: {en: "Caf\xe9"}\n    why: {en: x}\n' >"$T/in/bad.yaml"; }
setup_utf8_document_id() { printf -- '---\nid: caf\xc3\x28\n---\nBody.\n' >"$(kbfile $gen/bad.md)"; }
setup_utf8_sidecar_title() { printf 'Body.\n' >"$(kbfile $gen/bad.txt)"; printf 'title: "Caf\xe9"\n' >"$(kbfile $gen/bad.txt.yaml)"; }
setup_utf8_query() { "$BEFUS" --kb "$kb" -q index >/dev/null; QUERY=$(printf 'pr\xe9vention \xff\xfe'); }
setup_id_slash_tree() { tree_with 'a/b' 'Slash' >"$T/in/bad.yaml"; }
setup_id_dotdot_tree() { tree_with '..' 'Dots' >"$T/in/bad.yaml"; }
setup_id_space_tree() { tree_with '"two words"' 'Space' >"$T/in/bad.yaml"; }
setup_id_slash_actor() { printf 'actors:\n  - {id: a/b, name: Slash, kind: ngo}\n' >"$kb/taxonomy/actors.yaml"; printf 'programmes: []\n' >"$kb/taxonomy/funding.yaml"; }
setup_id_slash_document() { printf -- '---\nid: a/b\n---\nBody.\n' >"$(kbfile $gen/slash.md)"; }
setup_id_dotdot_document() { printf -- '---\nid: ../../outside/x\n---\nBody.\n' >"$(kbfile $gen/dotdot.md)"; }
setup_id_space_document() { printf -- '---\nid: two words\n---\nBody.\n' >"$(kbfile $gen/space.md)"; }
setup_id_dotdot_show() { "$BEFUS" --kb "$kb" -q index >/dev/null; }
setup_symlink_loop() {
  ln -s . "$(kbfile $gen/loop)"
  ln -s l2.md "$(kbfile $gen/l1.md)"
  ln -s l1.md "$(kbfile $gen/l2.md)"
}
setup_symlink_outside() { printf -- '---\nid: secret\n---\nOutside.\n' >"$T/outside/secret.md"; ln -s "$T/outside/secret.md" "$(kbfile $gen/out.md)"; }
setup_fifo_document() { mkfifo "$(kbfile $gen/pipe.md)"; }
setup_fifo_sidecar() { mkfifo "$(kbfile $gen/gen-00001.md.yaml)"; }
setup_fifo_tree() { mkfifo "$T/in/pipe.yaml"; }
setup_fifo_config() { rm "$kb/befus.yaml"; mkfifo "$kb/befus.yaml"; }
setup_device_document() {
  # A character device needs mknod (root); a link to one does as well for list_files' check.
  mknod "$(kbfile $gen/zero.md)" c 1 5 2>/dev/null || ln -s /dev/zero "$(kbfile $gen/zero.md)"
}
# Root reads anything: these two run as nobody, or are skipped when that is impossible.
drop_privileges() {
  if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null || skip "running as root without setpriv: cannot test permission denial"
    setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$BEFUS" 2>/dev/null ||
      skip "running as root and user nobody cannot run $BEFUS: cannot test permission denial"
    chown -R 65534:65534 "$T"
    RUNAS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  fi
}
setup_unreadable_document() { printf -- '---\nid: secret\n---\nBody.\n' >"$(kbfile $gen/secret.md)"; drop_privileges; chmod 000 "$(kbfile $gen/secret.md)"; }
setup_unreadable_tree() { drop_privileges; chmod 000 "$kb/taxonomy/befus.yaml"; }
setup_newline_document() { printf -- '---\nid: newline\n---\nBody.\n' >"$(kbfile "$gen/bad
name.md")"; }
setup_newline_kb() { mv "$kb" "$T/k
b"; kb="$T/k
b"; }
setup_pdf_bomb_pages() { pdf_pages_bomb >"$(kbfile $gen/pages.pdf)"; }
setup_pdf_bomb_deflate() { pdf_deflate_bomb >"$(kbfile $gen/deflate.pdf)"; }
setup_html_1m_nested() { { printf '<html><head><title>Deep</title></head><body>'; repeat '<div>' 1000000; printf 'bottom'; } >"$(kbfile $gen/deep.html)"; }
setup_markdown_100k_nested() {
  { printf -- '---\nid: quotes\n---\n'; repeat '> ' 100000; printf 'bottom\n'; } >"$(kbfile $gen/quotes.md)"
  { printf -- '---\nid: lists\n---\n'; awk 'BEGIN { s = ""; for (i = 0; i < 3000; i++) { print s "- item" i; s = s "  " } }'; } >"$(kbfile $gen/lists.md)"
}
setup_huge_word_title() { { printf -- '---\nid: huge\ntitle: '; repeat 'a' 100000; printf '\n---\n'; repeat 'b' 100000; printf '\n'; } >"$(kbfile $gen/huge.md)"; }
setup_query_100k() { "$BEFUS" --kb "$kb" -q index >/dev/null; QUERY=$(repeat 'prevention ' 9100); }
setup_query_100k_filter() { "$BEFUS" --kb "$kb" -q index >/dev/null; QUERY="theme:$(repeat a 100000)"; }
setup_query_100k_quotes() { "$BEFUS" --kb "$kb" -q index >/dev/null; QUERY=$(repeat '"a ' 33400); }
setup_query_nested_parentheses() { "$BEFUS" --kb "$kb" -q index >/dev/null; QUERY="$(repeat '(' 1000)x$(repeat ')' 1000)"; }

# ---- the runner ----

row_of() { table | grep -E "^$1 +\|" || fail "no case '$1'"; }
field() { echo "$1" | cut -d'|' -f"$2" | sed 's/^ *//; s/ *$//'; }

# A listing of the scratch folder without the index: names, sizes and times.
snapshot() {
  (cd "$T" && find . \( -path ./kb/.befus -o -path "./k
b/.befus" -o -path ./run \) -prune -o -type d -printf '%p/\n' -o -printf '%p %y %s %T@\n' | sort) || true
}

run_case() {
  local name=$1 row expect_code expect_text cmd
  row=$(row_of "$name")
  expect_code=$(field "$row" 2)
  expect_text=$(field "$row" 3)
  cmd=$(field "$row" 4-)
  scratch
  mkdir -p "$T/in" "$T/cwd" "$T/home" "$T/tmp" "$T/outside" "$T/run"
  kb=$T/kb
  make_kb "$kb" 5
  QUERY=
  RUNAS=()
  local setup=setup_${name//-/_}
  if declare -F "$setup" >/dev/null; then $setup; fi
  local before
  before=$(snapshot)
  eval "set -- $cmd"
  [ "$1" = befus ] && shift
  local code=0 start
  start=$(now_ms)
  (cd "$T/cwd" && HOME=$T/home TMPDIR=$T/tmp timeout -s KILL "${HOSTILE_BOUND:-60}" \
    "${RUNAS[@]}" "$BEFUS" --kb "$kb" "$@") >"$T/run/out.txt" 2>"$T/run/err.txt" || code=$?
  OBSERVED_MS=$(($(now_ms) - start))
  OBSERVED_CODE=$code
  OBSERVED_TEXT=$(cat "$T/run/out.txt" "$T/run/err.txt" | grep -F -m1 -- "$expect_text" | cut -c1-160 || true)
  [ -n "$OBSERVED_TEXT" ] || OBSERVED_TEXT=$(cat "$T/run/err.txt" "$T/run/out.txt" | head -c 160 | tr '\n' ' ' || true)
  local problems=()
  if [ $code = 137 ]; then problems+=("killed after ${HOSTILE_BOUND:-60} s: it hung")
  elif [ $code -gt 128 ]; then problems+=("died from signal $((code - 128))")
  elif [ "$code" != "$expect_code" ]; then problems+=("exit $code, expected $expect_code"); fi
  grep -qF -- "$expect_text" "$T/run/out.txt" "$T/run/err.txt" || problems+=("output lacks '$expect_text'")
  grep -q 'internal error\|AddressSanitizer\|runtime error:' "$T/run/err.txt" && problems+=("internal error or sanitizer report")
  [ "$(snapshot)" = "$before" ] || problems+=("files changed outside the index: $(diff <(echo "$before") <(snapshot) | head -5 | tr '\n' ' ' || true)")
  if [ ${#problems[@]} -gt 0 ]; then
    echo "--- stdout"; head -c 2000 "$T/run/out.txt"; echo "--- stderr"; head -c 2000 "$T/run/err.txt"
    fail "$name: ${problems[*]}"
  fi
  echo "PASS: $name: exit $code, '$OBSERVED_TEXT' (${OBSERVED_MS} ms)"
}

case ${1:?a case name, --all or --list} in
  --list) table | cut -d'|' -f1 | sed 's/ *$//' ;;
  --all)
    printf '| case | expected | observed |\n| --- | --- | --- |\n'
    for name in $(table | cut -d'|' -f1); do
      row=$(row_of "$name")
      result=$(bash "$0" "$name" 2>&1) && status=ok || status=FAIL
      if [[ "$result" == *$'\n'SKIP:* || "$result" == SKIP:* ]]; then status=skipped; fi
      printf '| %s | %s, "%s" | %s: %s |\n' "$name" "$(field "$row" 2)" "$(field "$row" 3)" "$status" \
        "$(echo "$result" | grep -E '^(PASS|FAIL|SKIP)' | tail -1 | cut -c1-200)"
    done
    ;;
  *) run_case "$1" ;;
esac
