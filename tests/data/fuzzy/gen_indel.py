"""Regenerates indel.jsonl with Python 3.11 and rapidfuzz 3.14.6:

    python3 tests/data/fuzzy/gen_indel.py

Each line: two strings and `rapidfuzz.distance.Indel.distance(a, b)`. Alphabets: ASCII, a few
non-ASCII letters, more than 64 and more than 128 distinct characters (past one 64-bit block of
the bit-parallel LCS and past the 128 byte codes of its non-ASCII coding), astral characters.
"""
import json, os, random
import rapidfuzz
from rapidfuzz.distance import Indel

assert rapidfuzz.__version__ == "3.14.6", rapidfuzz.__version__
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "indel.jsonl")
ALPHABETS = [
    "ab",
    "abc xyz",
    "aé§日ß ",
    "".join(chr(c) for c in range(0x21, 0x7F)),            # 94 ASCII
    "".join(chr(0x4E00 + 37 * i) for i in range(100)),     # 100 CJK (> 64)
    "".join(chr(0x3B1 + i) for i in range(25)) + "".join(chr(0x4E00 + 37 * i) for i in range(140)),  # > 128
    "a\U0001F600\U00010400b\U0001D11E",
]

def rand(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))

def main():
    rng = random.Random(20260611)
    with open(OUT, "w", encoding="utf-8") as f:
        for _ in range(600):
            alphabet = rng.choice(ALPHABETS)
            a = rand(rng, alphabet, rng.choice([0, 1, 5, 30, 63, 64, 65, 130, 300]))
            if rng.random() < 0.5:
                b = list(a)
                for _ in range(rng.randint(0, 6)):
                    at = rng.randint(0, len(b))
                    op = rng.randint(0, 2)
                    if op == 0 and at < len(b):
                        b[at] = rng.choice(alphabet)
                    elif op == 1 and at < len(b):
                        del b[at]
                    else:
                        b.insert(at, rng.choice(alphabet))
                b = "".join(b)
            else:
                b = rand(rng, rng.choice([alphabet, ALPHABETS[0]]), rng.choice([0, 3, 64, 129, 250]))
            f.write(json.dumps({"a": a, "b": b, "distance": Indel.distance(a, b)}, ensure_ascii=False) + "\n")

main()
