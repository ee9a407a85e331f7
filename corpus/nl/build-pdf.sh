#!/bin/sh
# Regenerate the PDF documents in this directory from their groff ms sources.
# Usage: sh build-pdf.sh   (requires groff; preconv via -k handles UTF-8)
set -e
cd "$(dirname "$0")"
for src in *.ms; do
    [ -e "$src" ] || continue
    out="${src%.ms}.pdf"
    groff -k -ms -Tpdf "$src" > "$out"
    echo "built $out"
done
