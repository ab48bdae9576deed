"""Regenerates strings.jsonl and case_mapping.json with CPython 3.11 (Unicode 14.0).

    python3 tests/data/text/gen_strings.py /work/shared/oracle

Each strings.jsonl line: a random hostile string and what Python's strip/lstrip/rstrip/lower/upper/
split()/splitlines() and the tax grader's normalize_text give for it.
"""
import json, random, sys, unicodedata, os

sys.path.insert(0, os.path.join(sys.argv[1], "graders"))
from tax import normalize_text  # noqa: E402

OUT = os.path.dirname(os.path.abspath(__file__))
ALPHABET = (
    list("abcXYZ019 ._-,%$<>/") + ["\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f"]
    + ["\x85", "\xa0", "\u1680", "\u2000", "\u2007", "\u200a", "\u200b", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\ufeff"]
    + ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2016", "\u2212", "\u00ad"]
    + ["Σ", "σ", "ς", "Α", "ά", "'", "\u0301", "\u0345", "İ", "ı", "ß", "ẞ", "ǅ", "ǆ", "Ǆ", "ﬃ", "և", "ΐ", "É", "é", "ŉ"]
    + ["Ａ", "ａ", "１", "％", "😀", "\u0130", "\u1e9e", "Ꭰ", "ꭰ", "Ⅻ", "ⓐ", "\U00010400", "\U0001e900", "\u019b", "\u0264", "\ua7cb", "\ua7dc", "\U00010d50"]
)

def rand_string(rng):
    n = rng.choice([0, 1, 2, 3, 5, 8, 13, 30])
    return "".join(rng.choice(ALPHABET) for _ in range(n))

def main():
    rng = random.Random(20240611)
    with open(os.path.join(OUT, "strings.jsonl"), "w", encoding="utf-8") as f:
        for _ in range(1500):
            s = rand_string(rng)
            row = dict(input=s, strip=s.strip(), lstrip=s.lstrip(), rstrip=s.rstrip(), lower=s.lower(),
                       upper=s.upper(), normalize=normalize_text(s), split=s.split(), splitlines=s.splitlines())
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    changes = []
    for cp in range(0x110000):
        c = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        if c.lower() != c or c.upper() != c:
            changes.append((cp, c.lower(), c.upper()))
    with open(os.path.join(OUT, "case_mapping.json"), "w", encoding="utf-8") as f:
        json.dump({"unicode": unicodedata.unidata_version, "changes": changes}, f,
                  ensure_ascii=False, separators=(",", ":"))

main()
