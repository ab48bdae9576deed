"""Regenerates figures.jsonl with CPython 3.11.

    python3 tests/data/text/gen_figures.py /work/shared/oracle

One {"text", "tokens": [[kind, canonical], ...]} per line (kind "%" or "$", sorted, no duplicates) as
the tax grader's `figure_tokens` finds them: every tax corpus answer, then generated strings.
"""
import json, os, random, sys

sys.path.insert(0, os.path.join(sys.argv[1], "graders"))
from tax import figure_tokens  # noqa: E402

OUT = os.path.dirname(os.path.abspath(__file__))
ALPHABET = list("0123456789") * 4 + list(".,.,%%$ -") + ["USD ", "a", "\u00a0", "１", "％", "٣", "\n", "é", "0,000", ",000", ".00"]


def main():
    texts = []
    with open(os.path.join(sys.argv[1], "..", "corpus", "tax", "cases.jsonl"), encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["sample"]["output_text"]
            if isinstance(text, str):
                texts.append(text)
    rng = random.Random(99)
    for _ in range(2000):
        texts.append("".join(rng.choice(ALPHABET) for _ in range(rng.choice([1, 2, 4, 8, 16, 40]))))
    with open(os.path.join(OUT, "figures.jsonl"), "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t, "tokens": sorted(figure_tokens(t))}, ensure_ascii=False) + "\n")
    print(len(texts), "texts")


main()
