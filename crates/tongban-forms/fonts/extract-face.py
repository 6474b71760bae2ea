#!/usr/bin/env python3
"""Extracts Noto Sans CJK SC Regular as a single OpenType file from Debian's collection.

    python3 -m venv /tmp/ft && /tmp/ft/bin/pip install fonttools
    /tmp/ft/bin/python extract-face.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

Face 2 of the collection is "Noto Sans CJK SC". The tables are copied byte for byte (lazy load,
nothing recompiled, timestamps kept); only head.checkSumAdjustment changes, as it must for a file
of its own. The script checks that before it keeps the result. The font is NOT trimmed: a trimmed
copy loses rare name characters and, under the OFL, would need a different family name.
"""

import sys

from fontTools.ttLib import TTFont

SRC = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
OUT = sys.argv[2] if len(sys.argv) > 2 else "NotoSansCJKsc-Regular.otf"
FACE = 2

face = TTFont(SRC, fontNumber=FACE, lazy=True, recalcTimestamp=False, recalcBBoxes=False)
face.save(OUT)

a = TTFont(SRC, fontNumber=FACE, lazy=True)
b = TTFont(OUT, lazy=True)
assert b["name"].getDebugName(1) == "Noto Sans CJK SC", b["name"].getDebugName(1)
assert sorted(a.reader.keys()) == sorted(b.reader.keys())
for tag in a.reader.keys():
    da, db = a.reader[tag], b.reader[tag]
    if tag == "head":  # bytes 8..12: checkSumAdjustment
        da, db = da[:8] + da[12:], db[:8] + db[12:]
    assert da == db, f"table {tag} differs"
print(f"{OUT}: {len(a.reader.keys())} tables identical to face {FACE} of {SRC}")
