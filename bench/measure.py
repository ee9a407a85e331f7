"""Shared by the benchmark scripts' report steps: GNU time output and percentiles."""
import os
import re


def gnu_time(path):
    """Wall seconds, peak RSS in MB and user+sys CPU seconds from a `/usr/bin/time -v` file;
    None when the file is missing (the run was skipped)."""
    if not os.path.exists(path):
        return None
    t = open(path).read()

    def field(label):
        m = re.search(re.escape(label) + r": (.*)", t)
        return m.group(1).strip() if m else "0"

    wall = 0.0
    for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
        wall = wall * 60 + float(part)
    return {"wall": wall, "rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
            "cpu": float(field("User time (seconds)")) + float(field("System time (seconds)"))}


def pct(xs, p):
    """The p-th percentile (nearest rank) of xs."""
    xs = sorted(xs)
    i = min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))
    return xs[i]
