#!/usr/bin/env bash
# Makes the site's two web fonts (lms/static/lms/fonts/be-vietnam-pro-vi-{400,700}-normal.woff2)
# from Fontsource's Latin and Vietnamese subsets of Be Vietnam Pro (lms/fonts/web-src/): both
# subsets merged into one font per weight, then cut down to the characters Vietnamese text uses
# (ASCII, the Vietnamese letters and tone marks, the punctuation the pages print), without
# hinting, as WOFF2. A Vietnamese page needed all four subsets (about 67 KB); it now needs two
# files of about 10 KB. Build-time only: fontTools and brotli are not runtime dependencies.
#   python3 -m venv /tmp/fontvenv && /tmp/fontvenv/bin/pip install fonttools==4.60.1 brotli
#   FONTVENV=/tmp/fontvenv scripts/subset-web-fonts.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${FONTVENV:-/tmp/fontvenv}/bin/python"
SRC=lms/fonts/web-src
OUT=lms/static/lms/fonts
UNICODES="U+0020-007E,U+00A0,U+00A9,U+00AB,U+00B0,U+00B7,U+00BB,U+00C0-00C3,U+00C8-00CA,\
U+00CC-00CD,U+00D2-00D5,U+00D9-00DA,U+00DD,U+00E0-00E3,U+00E8-00EA,U+00EC-00ED,U+00F2-00F5,\
U+00F9-00FA,U+00FD,U+0102-0103,U+0110-0111,U+0128-0129,U+0168-0169,U+01A0-01A1,U+01AF-01B0,\
U+0300-0301,U+0303,U+0309,U+0323,U+1EA0-1EF9,U+2013-2014,U+2018-2019,U+201C-201D,U+2022,\
U+2026,U+20AB,U+2190-2193"
TMP=$(mktemp -d)
for weight in 400 700; do
  "$PY" - "$SRC" "$TMP" "$weight" <<'PYEOF'
import sys
from fontTools.merge import Merger
from fontTools.ttLib import TTFont
src, tmp, weight = sys.argv[1:]
paths = []
for part in ("latin", "vietnamese"):
    font = TTFont(f"{src}/be-vietnam-pro-{part}-{weight}-normal.woff2")
    font.flavor = None
    font.save(f"{tmp}/{part}.ttf")
    paths.append(f"{tmp}/{part}.ttf")
Merger().merge(paths).save(f"{tmp}/merged-{weight}.ttf")
PYEOF
  "${PY%python}pyftsubset" "$TMP/merged-$weight.ttf" --unicodes="$UNICODES" \
    --layout-features='kern,liga,ccmp,locl,mark,mkmk' --flavor=woff2 --no-hinting \
    --desubroutinize --output-file="$OUT/be-vietnam-pro-vi-$weight-normal.woff2"
done
rm -rf "$TMP"
ls -l "$OUT"/be-vietnam-pro-vi-*.woff2
