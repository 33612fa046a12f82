#!/usr/bin/env python3
"""Build benchmark: dangjian against Hugo on the shared corpus, as medians of several runs.

    python3 benches/build.py [--sizes 1000,10000,30000] [--runs 3] [--bin target/release/dangjian]
                             [--workdir /tmp/dangjian-bench] [--out-dir DIR] [--no-hugo]

For each size, makes (once, reused later) a corpus with ../shared/bench/gen_corpus.py:
  <workdir>/zola-N  (--flavor zola) with site/config.toml, built by dangjian with its default theme;
  <workdir>/hugo-N  (--flavor hugo) with benches/hugo/ (equivalent settings and templates), built
                    by Debian's hugo when it is installed.
Every run starts from an empty output folder (deleted outside the timing) and is measured with
/usr/bin/time -v: wall time, CPU time (user + system) and peak RSS. Prints the medians, the number
of files written and the Hugo/dangjian wall-time ratio, then how time and memory grow with pages.

Outputs go under --out-dir: by default /dev/shm (memory) when it exists, so the figures measure the
generators and not the disk. On a disk, deleting the previous run's tens of thousands of files
makes the next run's file creation slow on some file systems (ext4 without a journal skips
recently deleted inodes one by one), which adds seconds of kernel time to both tools; pass
--out-dir on the disk to measure that case. Python 3.11 standard library only.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"


def corpus(workdir: Path, flavor: str, pages: int) -> Path:
    site = workdir / f"{flavor}-{pages}"
    if not (site / "content").is_dir():
        subprocess.run([sys.executable, str(GEN), "--pages", str(pages), "--out", str(site), "--flavor", flavor, "--force"],
                       check=True, stdout=subprocess.DEVNULL)
        if flavor == "zola":
            shutil.copy(REPO / "site" / "config.toml", site / "config.toml")
        else:
            shutil.copytree(REPO / "benches" / "hugo", site, dirs_exist_ok=True)
    return site


def timed(command: list[str], cwd: Path) -> dict:
    result = subprocess.run(["/usr/bin/time", "-v", *command], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    fields = {}
    for line in result.stderr.splitlines():
        key, _, value = line.strip().rpartition(": ")
        fields[key] = value
    wall = fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"]
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    return {
        "wall": seconds,
        "cpu": float(fields["User time (seconds)"]) + float(fields["System time (seconds)"]),
        "rss_mb": int(fields["Maximum resident set size (kbytes)"]) / 1024,
    }


def count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def measure(label: str, command: list[str], cwd: Path, out: Path, runs: int) -> dict:
    samples = []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        samples.append(timed(command, cwd))
    files = count_files(out)
    row = {key: statistics.median(s[key] for s in samples) for key in ("wall", "cpu", "rss_mb")}
    row["files"] = files
    print(f"{label:<22}{files:>9}{row['wall']:>10.2f}{row['cpu']:>10.2f}{row['rss_mb']:>10.0f}", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bin", default=str(REPO / "target" / "release" / "dangjian"))
    parser.add_argument("--workdir", default="/tmp/dangjian-bench")
    parser.add_argument("--out-dir", default="/dev/shm/dangjian-bench-out" if Path("/dev/shm").is_dir() else None,
                        help="where the outputs go (default: /dev/shm when it exists, else the workdir)")
    parser.add_argument("--no-hugo", action="store_true")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    out_dir = Path(args.out_dir) if args.out_dir else workdir
    out_dir.mkdir(parents=True, exist_ok=True)
    hugo = None if args.no_hugo else shutil.which("hugo")
    print(f"{args.runs} runs each, medians; {os.cpu_count()} CPUs; {args.bin}; outputs in {out_dir}")
    print(f"{'build':<22}{'files':>9}{'wall s':>10}{'cpu s':>10}{'peak MB':>10}")
    rows = []
    for pages in (int(n) for n in args.sizes.split(",")):
        site = corpus(workdir, "zola", pages)
        ours = measure(f"dangjian {pages}", [args.bin, "build", "--site", str(site), "--output", str(out_dir / "out-dangjian")],
                       site, out_dir / "out-dangjian", args.runs)
        rows.append((pages, ours))
        if hugo:
            hugo_site = corpus(workdir, "hugo", pages)
            theirs = measure(f"hugo {pages}", [hugo, "--quiet", "-d", str(out_dir / "out-hugo")], hugo_site, out_dir / "out-hugo", args.runs)
            print(f"{'':<22}hugo / dangjian wall time: {theirs['wall'] / ours['wall']:.1f}x", flush=True)
        shutil.rmtree(out_dir / "out-dangjian", ignore_errors=True)
        shutil.rmtree(out_dir / "out-hugo", ignore_errors=True)
    if len(rows) > 1:
        # Linear growth means the cost per page stays the same from size to size.
        print("dangjian per 1,000 pages:")
        for pages, row in rows:
            per = 1000 / pages
            print(f"{'':<4}{pages:>7} pages: {row['wall'] * per:.3f} s wall, {row['cpu'] * per:.3f} s CPU, "
                  f"{row['rss_mb'] * per:.0f} MB peak")


if __name__ == "__main__":
    main()
