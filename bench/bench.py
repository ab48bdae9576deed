#!/usr/bin/env python3
"""Side-by-side throughput of `rubric grade` and the Python reference graders.

    python3 bench/bench.py [--reference DIR] [--cases N] [--graders a,b] [--repeat 3] [--floor]

Builds N-case inputs (default 20,000) per grader by repeating tests/corpus/<grader>/cases.jsonl with
fresh ids, compiles each shipped rubric once (`rubric compile`) and grades the input with the plan and
the release binary (whole process, best of --repeat runs, default all cores; `--source` grades the
`.rubric` instead, compiling it in every run), and, when
--reference points at a directory holding the reference graders' `bench.py` (e.g. ../shared/oracle),
runs the Python reference on the same file in the same run: --repeat rounds of one rubric run and one
reference pass each, alternating so that both sides meet the same machine load; the best round of
each side counts (the cases file is read once before each rubric run, so that it is in the page
cache as the reference's input is in memory). Prints a table: grader, reference cases/s, rubric cases/s, ratio, rubric peak RSS;
with --floor also the cases/s (and ratio) of a rubric that reads nothing, the bound that reading
and checking the lines alone sets.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRADERS = ["chipstack", "runloop", "harvey", "tax", "nova_tool", "chem", "milo", "moderation", "icd10", "nova_math"]


def build_input(grader, n, out_dir):
    path = os.path.join(out_dir, f"{grader}-{n}.jsonl")
    if os.path.exists(path):
        return path
    with open(os.path.join(ROOT, "tests", "corpus", grader, "cases.jsonl"), encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for i in range(n):
            c = dict(cases[i % len(cases)])
            c["id"] = f"{c['id']}-{i}"
            out.write(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


def compile_plan(binary, grader, out_dir):
    """Compiles the shipped rubric once into a plan, as a training job would before grading."""
    plan = os.path.join(out_dir, f"{grader}.plan.json")
    subprocess.run([binary, "compile", os.path.join(ROOT, "rubrics", f"{grader}.rubric"), "-o", plan], check=True)
    return plan


def compile_floor(binary, out_dir):
    """A plan that reads no field of a case: grading with it costs start-up, reading and checking
    each line, and writing its result, the least any rubric can cost."""
    source = os.path.join(out_dir, "floor.rubric")
    with open(source, "w", encoding="utf-8") as f:
        f.write('rubric floor "Reads nothing" {\n  score 1\n}\n')
    plan = os.path.join(out_dir, "floor.plan.json")
    subprocess.run([binary, "compile", source, "-o", plan], check=True)
    return plan


def warm(path):
    """Reads a file once, so that the run after it finds it in the page cache (the reference's
    input is in memory too; some VMs reclaim cached pages within seconds)."""
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


def rubric_command(binary, grader, cases, jobs, plan=None):
    grader_file = plan or os.path.join(ROOT, "rubrics", f"{grader}.rubric")
    cmd = [binary, "grade", grader_file, "--cases", cases, "--out", os.devnull]
    return cmd + ["--jobs", str(jobs)] if jobs else cmd


def run_rubric(binary, grader, cases, jobs, plan=None):
    """Seconds of one whole `rubric grade` run (of the plan when given, else the .rubric)."""
    warm(cases)
    cmd = rubric_command(binary, grader, cases, jobs, plan)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if proc.returncode not in (0, 3):
        sys.exit(f"rubric grade failed for {grader}: {proc.stderr.decode()[-500:]}")
    return dt


def peak_rss(binary, grader, cases, jobs, plan=None):
    """Peak RSS in MB of one `rubric grade` run, as GNU time reports it (a child's peak counts the
    memory of the process it was forked from, so it is measured from a small one: not from this
    Python process, whose own size would be reported instead); None without /usr/bin/time."""
    if not os.path.exists("/usr/bin/time"):
        return None
    cmd = ["/usr/bin/time", "-f", "%M"] + rubric_command(binary, grader, cases, jobs, plan)
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = proc.stderr.strip().splitlines()
    return int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else None


def run_reference(ref_dir, grader, cases, repeat):
    out = subprocess.run([sys.executable, os.path.join(ref_dir, "bench.py"), grader, cases, "--repeat", str(repeat)],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"-> ([\d,]+) cases/s", out)
    return float(m.group(1).replace(",", "")) if m else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", help="directory of the Python reference graders (holding bench.py)")
    ap.add_argument("--cases", type=int, default=20000)
    ap.add_argument("--graders", default=",".join(GRADERS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=0, help="rubric worker threads (default: all cores)")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "rubric"))
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "bench"))
    ap.add_argument("--source", action="store_true",
                    help="grade the .rubric source (compiled in each run) instead of a plan compiled once")
    ap.add_argument("--floor", action="store_true",
                    help="also grade each input with a rubric that reads nothing (`score 1`): the cost of "
                         "start-up, reading, checking and writing alone, a bound on any rubric's speed")
    args = ap.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    os.makedirs(args.work, exist_ok=True)
    what = "the .rubric source" if args.source else "a compiled plan"
    print(f"machine: {os.cpu_count()} cores, {os.uname().sysname} {os.uname().machine}; {args.cases} cases per grader; "
          f"rubric grades {what}")
    floor_plan = compile_floor(args.binary, args.work) if args.floor else None
    floor_head = f" {'floor/s':>10} {'ratio':>7}" if floor_plan else ""
    print(f"{'grader':<10} {'reference/s':>12} {'rubric/s':>10} {'ratio':>7} {'peak RSS':>9}{floor_head}")
    for g in args.graders.split(","):
        cases = build_input(g, args.cases, args.work)
        plan = None if args.source else compile_plan(args.binary, g, args.work)
        # Rounds alternate the two sides (one rubric run, one reference pass), so that both meet
        # the same load on a shared machine; each side's best round counts.
        runs, refs = [], []
        for _ in range(args.repeat):
            runs.append(run_rubric(args.binary, g, cases, args.jobs, plan))
            if args.reference:
                refs.append(run_reference(args.reference, g, cases, 1))
        best = min(runs)
        rss = peak_rss(args.binary, g, cases, args.jobs, plan)
        rate = args.cases / best
        ref = max(refs) if refs else float("nan")
        ratio = rate / ref if ref == ref else float("nan")
        ref_s = f"{ref:,.0f}" if ref == ref else "-"
        ratio_s = f"{ratio:.1f}x" if ratio == ratio else "-"
        floor_s = ""
        if floor_plan:
            floor = args.cases / min(run_rubric(args.binary, g, cases, args.jobs, floor_plan) for _ in range(args.repeat))
            floor_ratio = f"{floor / ref:.1f}x" if ref == ref else "-"
            floor_s = f" {floor:>10,.0f} {floor_ratio:>7}"
        rss_s = f"{rss:.1f}MB" if rss is not None else "-"
        print(f"{g:<10} {ref_s:>12} {rate:>10,.0f} {ratio_s:>7} {rss_s:>9}{floor_s}", flush=True)


if __name__ == "__main__":
    main()
