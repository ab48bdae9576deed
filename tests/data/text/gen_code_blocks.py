"""Regenerates code_blocks.jsonl and word_chars.json with CPython 3.11 (Unicode 14.0).

    python3 tests/data/text/gen_code_blocks.py /work/shared/oracle

code_blocks.jsonl: one {"text", "blocks": [[language, path, code], ...]} per line, found with Python's
own `re` and the fenced-block pattern of the Runloop grader, paths based on "/home/user/testbed/".
Texts: the <code> section of every Runloop corpus case, then generated hostile strings.
word_chars.json: the code point ranges Python's `re` matches with \\w.
"""
import json, os, random, re, sys

sys.path.insert(0, os.path.join(sys.argv[1], "graders"))
import runloop  # noqa: E402

OUT = os.path.dirname(os.path.abspath(__file__))
BLOCK = re.compile(r"```(\w+\s+)?([\w./-]+)?\n([\s\S]*?)\n```")
BASE = "/home/user/testbed/"


def blocks(text):
    out = []
    for m in BLOCK.finditer(text):
        language = (m.group(1) or "").strip()
        path = (m.group(2) or "").strip()
        if path and not path.startswith("/"):
            path = BASE + path
        out.append([language, path, m.group(3).strip()])
    # Cross-check with the grader's own function where it does not reject the blocks.
    try:
        theirs = [[b.language, b.path, b.code] for b in runloop.extract_code_blocks(text)]
        assert theirs == out, (text, theirs, out)
    except Exception as e:
        if isinstance(e, AssertionError):
            raise
    return out


def code_section(output_text):
    start, end = output_text.find("<code>"), output_text.find("</code>")
    if start == -1 or end == -1:
        return None
    return output_text[start + len("<code>"):end].strip()


PIECES = {
    "fence": ["```", "```", "```", "``", "````"],
    "lang": ["typescript", "ts", "TypeScript", "JS", "python", "é", "e\u0301", "ﾀｲﾌﾟ", "x²", "_x", "٣٤", "a‿b", "ǅ",
             "𝔘", "\U00011f04", "ts\u200b", ""],
    "space": [" ", " ", "\t", "  ", "\x1c", "\x1f", "\xa0", "\u3000", "\u2028", "\u200b", "\x85", "\n", "\r\n", ""],
    "path": ["src/a.ts", "/abs/x.js", "a-b/c.d.ts", "é/x.ts", "e\u0301.ts", "a b", "..", "x\u200b", "-", "./", "路径/文件.ts",
             "src/index.ts ", "", "a\\b.ts"],
    "nl": ["\n", "\n", "\r\n", "\r", "\n\n", ""],
    "code": ["const x = 1;", "", "  ", "a\n```\nb", "```ts x.ts", "\u00a0code\u00a0", "\x1cx\x1c", "line1\nline2",
             "\n", "console.log('```')", "é\u0301"],
}


def hostile(rng):
    parts = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        if rng.random() < 0.2:
            parts.append(rng.choice(PIECES["code"] + PIECES["space"]))
        parts += [rng.choice(PIECES["fence"]), rng.choice(PIECES["lang"]), rng.choice(PIECES["space"]),
                  rng.choice(PIECES["path"]), rng.choice(PIECES["nl"]), rng.choice(PIECES["code"]),
                  rng.choice(PIECES["nl"]), rng.choice(PIECES["fence"])]
        if rng.random() < 0.3:
            i = rng.randrange(len(parts))
            parts.insert(i, rng.choice(sum(PIECES.values(), [])))
    return "".join(parts)


def main():
    texts = []
    with open(os.path.join(sys.argv[1], "..", "corpus", "runloop", "cases.jsonl"), encoding="utf-8") as f:
        for line in f:
            section = code_section(json.loads(line)["sample"]["output_text"])
            if section is not None:
                texts.append(section)
    rng = random.Random(7)
    texts += [hostile(rng) for _ in range(1000)]
    with open(os.path.join(OUT, "code_blocks.jsonl"), "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t, "blocks": blocks(t)}, ensure_ascii=False) + "\n")
    word = re.compile(r"\w")
    ranges, start = [], None
    for cp in range(0x110001):
        hit = cp < 0x110000 and bool(word.match(chr(cp)))
        if hit and start is None:
            start = cp
        if not hit and start is not None:
            ranges.append((start, cp - 1))
            start = None
    with open(os.path.join(OUT, "word_chars.json"), "w") as f:
        json.dump(ranges, f, separators=(",", ":"))
    print(len(texts), "texts,", sum(1 for t in texts if BLOCK.search(t)), "with blocks")


main()
