"""Regenerates casefold.txt with CPython 3.11 (Unicode 14.0):

    python3 tests/data/text/gen_casefold.py

One line per code point whose `str.casefold()` is not itself: the code point in hex, a space, and
the folded text as space-separated hex code points. The Rust test checks every other scalar value
folds to itself.
"""
import os, sys, unicodedata

assert unicodedata.unidata_version == "14.0.0", unicodedata.unidata_version
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "casefold.txt")
with open(OUT, "w", encoding="ascii") as f:
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        folded = c.casefold()
        if folded != c:
            f.write("%x %s\n" % (cp, " ".join("%x" % ord(x) for x in folded)))
