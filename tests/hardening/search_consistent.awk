# Reads `befus --format json search --facets` output (two-space indented) and prints "ok" when the
# answer is consistent: total equals the sum of the language facet, the hit count is min(total, limit),
# no hit is repeated and every hit has an id and a title. Otherwise prints what is wrong.
/^  "total": / { total = $2; sub(/,/, "", total) }
/^    "lang": \{/ { in_lang = 1; next }
in_lang && /^    \}/ { in_lang = 0 }
in_lang { v = $2; sub(/,/, "", v); lang_sum += v }
/^      "id": / { hits++; id = $2; if (seen[id]++) dup = dup " " id }
/^      "title": "",?$/ { untitled++ }
END {
  want = total < limit ? total : limit
  if (total == "") print "no total"
  else if (total != lang_sum) print "total " total " but languages add up to " lang_sum
  else if (hits != want) print hits " hits for total " total
  else if (dup != "") print "repeated hits:" dup
  else if (untitled) print untitled " hits without a title"
  else print "ok"
}
