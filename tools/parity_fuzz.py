#!/usr/bin/env python3
"""Mutation parity: mutate corpus cases (drop fields, swap in odd JSON values, edit strings), grade
them with the Python reference and with `rubric grade`, and report exact / lower-with-error / wrong.

    python3 tools/parity_fuzz.py --reference ../shared/oracle [--graders a,b] [--cases 2000] [--seed 1]

The reference directory must hold `oracle.py` (the reference graders' runner). A "wrong" case is a
score that differs from the reference without being a lower score that carries an error (the only
allowed deviation, for data the reference reads through Python duck typing).
"""
import argparse
import copy
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRADERS = ["chipstack", "runloop", "harvey", "tax", "nova_tool", "chem", "milo", "moderation", "icd10", "nova_math"]
WEIRD = [None, True, False, 0, 1, 1.0, -1, 2.5, "", "x", " ", [], {}, [None], [1, "a"], {"a": 1}, "\u00a0", "\x1c",
         1e300, [[]], {"": ""}]


def paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:6]):
            yield from paths(v, prefix + (i,))


def mutate(case, rng):
    c = copy.deepcopy(case)
    targets = [("sample",) + p for p in paths(c["sample"])]
    targets += [("item", "reference_answer") + p for p in paths(c["item"].get("reference_answer", {}))]
    for _ in range(rng.randint(1, 3)):
        p = rng.choice(targets)
        if len(p) < 2:
            continue
        try:
            parent = c
            for k in p[:-1]:
                parent = parent[k]
            k = p[-1]
            r = rng.random()
            if r < 0.25 and isinstance(parent, dict):
                parent.pop(k, None)
            elif r < 0.6:
                parent[k] = copy.deepcopy(rng.choice(WEIRD))
            else:
                v = parent[k]
                if isinstance(v, str):
                    parent[k] = rng.choice([v.upper(), v.lower(), v + " ", " " + v, v[: len(v) // 2],
                                            v.replace(" ", "\u00a0"), v.replace("\n", "\r\n"), v * 2,
                                            v.replace("0", "\uff10")])
                elif isinstance(v, list) and v:
                    rng.shuffle(v)
                    if rng.random() < 0.5:
                        v.append(copy.deepcopy(v[0]))
                    else:
                        v.pop()
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    parent[k] = rng.choice([v + 1, float(v), str(v), -v, v * 1.0000001, True])
        except (KeyError, IndexError, TypeError):
            pass
    return c


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--graders", default=",".join(GRADERS))
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=5)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "rubric"))
    args = ap.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for g in args.graders.split(","):
            rng = random.Random(args.seed)
            with open(os.path.join(ROOT, "tests", "corpus", g, "cases.jsonl"), encoding="utf-8") as f:
                corpus = [json.loads(line) for line in f]
            lines = []
            for i in range(args.cases):
                c = mutate(rng.choice(corpus), rng)
                c["id"] = f"m{i}"
                lines.append(json.dumps(c, ensure_ascii=False, separators=(",", ":")))
            cases = os.path.join(tmp, f"{g}.jsonl")
            with open(cases, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            with open(cases, encoding="utf-8") as f:
                exp = subprocess.run([sys.executable, os.path.join(args.reference, "oracle.py"), g], stdin=f,
                                     capture_output=True, text=True, check=True).stdout.splitlines()
            got = subprocess.run([args.binary, "grade", os.path.join(ROOT, "rubrics", f"{g}.rubric"), "--cases", cases],
                                 capture_output=True, text=True).stdout.splitlines()
            exact = lower = wrong = 0
            for line, e, o in zip(lines, exp, got):
                e, o = json.loads(e), json.loads(o)
                if abs(e["score"] - o["score"]) <= 1e-9:
                    exact += 1
                elif o["score"] < e["score"] and o["error"]:
                    lower += 1
                else:
                    wrong += 1
                    if wrong <= args.show:
                        print(f"  wrong {e['id']}: reference {e['score']}, rubric {o['score']}\n    {line[:400]}")
            failed |= wrong > 0
            print(f"{g:>10}: {exact} exact, {lower} lower with an error, {wrong} wrong")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
