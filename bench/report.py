#!/usr/bin/env python3
"""Turns bench/compare_compose.sh's measurements into a markdown table and a PNG plot.

    report.py OUT_DIR

Reads OUT_DIR/raw.csv (one timed run a line), OUT_DIR/metrics.csv (API calls, memory, CPU) and
OUT_DIR/env.txt; writes OUT_DIR/compare_compose.md and OUT_DIR/compare_compose.png, and prints
the table and the issue's targets (ratios from this same run) on stdout.
"""
import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path

TOOLS = ("dockerup", "compose")
SCENARIOS = (
    ("converge", "converge from nothing"),
    ("noop", "no-op"),
    ("replace_all", "replace all (every env changed)"),
    ("replace_one", "one spec changed"),
)


def read_loads(path):
    """n -> the 1-minute load averages recorded with the runs (older raw.csv files have none)."""
    loads = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row.get("load1"):
                loads[int(row["n"])].append(float(row["load1"]))
    return loads


def load_line(loads, ns):
    parts = [f"N={n}: {min(loads[n]):.1f}–{max(loads[n]):.1f} (median {median(loads[n]):.1f})"
             for n in ns if loads.get(n)]
    return ["Machine load (1-minute average, shared host) during the runs: " + "; ".join(parts) + "."] \
        if parts else []


def read_runs(path):
    """(tool, n, scenario) -> list of seconds of runs that converged; and failure counts."""
    times, failed = defaultdict(list), defaultdict(int)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["tool"], int(row["n"]), row["scenario"])
            if row["ok"] == "1":
                times[key].append(float(row["seconds"]))
            else:
                failed[key] += 1
    return times, failed


def read_metrics(path):
    metrics = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            metrics[(row["tool"], int(row["n"]), row["metric"])] = float(row["value"])
    return metrics


def read_env(path):
    env = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition("=")
            env.setdefault(key, value)
    return env


def median(values):
    return statistics.median(values) if values else None


def fmt_s(value):
    if value is None:
        return "–"
    return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"


def fmt_ratio(a, b):
    return f"{a / b:.2f}×" if a is not None and b else "–"


def time_table(times, failed, ns):
    lines = ["| work | N | dockerup | docker-compose `up -d` | dockerup / compose | runs |",
             "|---|---:|---:|---:|---:|---:|"]
    for scenario, title in SCENARIOS:
        for n in ns:
            d = median(times[("dockerup", n, scenario)])
            c = median(times[("compose", n, scenario)])
            runs = len(times[("dockerup", n, scenario)])
            bad = failed[("dockerup", n, scenario)] + failed[("compose", n, scenario)]
            note = f"{runs}" + (f" ({bad} failed)" if bad else "")
            lines.append(f"| {title} | {n} | {fmt_s(d)} | {fmt_s(c)} | {fmt_ratio(d, c)} | {note} |")
    return lines


def metrics_table(metrics, ns):
    def get(tool, n, name, fmt="{:.0f}"):
        value = metrics.get((tool, n, name))
        return "–" if value is None else fmt.format(value)

    def mb(name):
        value = metrics.get(("dockerup", n, name))
        return "–" if value is None else f"{value / 1024:.1f} MB"

    lines = ["| N | API calls per no-op run: dockerup | docker-compose | `--server` idle PSS "
             "median (max) | anonymous PSS | RSS | CPU per idle run |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for n in ns:
        lines.append(
            f"| {n} | {get('dockerup', n, 'api_calls_noop')} | {get('compose', n, 'api_calls_noop')} "
            f"| {mb('pss_kb')} ({mb('pss_max_kb')}) | {mb('pss_anon_kb')} | {mb('rss_kb')} "
            f"| {get('dockerup', n, 'cpu_ms_per_idle_run', '{:.1f} ms')} "
            f"(over {get('dockerup', n, 'idle_runs')} runs) |")
    return lines


def ratio_at(times, n, scenario):
    d = median(times[("dockerup", n, scenario)])
    c = median(times[("compose", n, scenario)])
    return (d / c) if d is not None and c else None


def targets(times, metrics, ns):
    """The issue's targets, each with the value measured in this run and whether it is met."""
    n_target = 50 if 50 in ns else max(ns)
    rows = []

    def add(what, value, text, met):
        status = "–" if value is None or met is None else ("met" if met else "missed")
        rows.append(f"| {what} | {text if value is not None else 'not measured'} | {status} |")

    for scenario, title in (("converge", "converge"), ("replace_all", "replace all")):
        r = ratio_at(times, n_target, scenario)
        add(f"{title} ≤ 0.8× compose at N={n_target}", r, f"{r:.2f}×" if r else "", r is not None and r <= 0.8)
    worst = [ratio_at(times, n, "noop") for n in ns]
    worst = max((r for r in worst if r is not None), default=None)
    add("no-op ≤ 0.1× compose (every N)", worst, f"{worst:.3f}× (worst N)" if worst else "",
        worst is not None and worst <= 0.1)
    calls = [metrics.get(("dockerup", n, "api_calls_noop")) for n in ns]
    calls = [c for c in calls if c is not None]
    flat = bool(calls) and max(calls) == min(calls)
    one_n = " (one N: cannot tell)" if len(calls) == 1 else ""
    add("no-op makes O(1) API calls", calls[0] if calls else None,
        " / ".join(f"{c:.0f}" for c in calls) + f" calls at N={'/'.join(map(str, ns))}{one_n}",
        flat if len(calls) > 1 else None)
    # Judged on the largest sample: PSS moves with what else maps the same libraries.
    pss = [metrics.get(("dockerup", n, "pss_max_kb"), metrics.get(("dockerup", n, "pss_kb")))
           for n in ns]
    pss = max((p for p in pss if p is not None), default=None)
    add("idle `--server` PSS ≤ 8 MB", pss, f"{pss / 1024:.1f} MB (largest sample, any N)" if pss else "",
        pss is not None and pss <= 8 * 1024)
    return ["| target | measured | |", "|---|---|---|"] + rows


def plot(times, metrics, ns, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5))
    styles = {"dockerup": dict(color="tab:blue", marker="o", label="dockerup"),
              "compose": dict(color="tab:orange", marker="s", label="docker-compose up -d")}
    for ax, (scenario, title) in zip(axes.flat, SCENARIOS):
        for tool in TOOLS:
            xs = [n for n in ns if times[(tool, n, scenario)]]
            med = [median(times[(tool, n, scenario)]) for n in xs]
            lo = [m - min(times[(tool, n, scenario)]) for n, m in zip(xs, med)]
            hi = [max(times[(tool, n, scenario)]) - m for n, m in zip(xs, med)]
            ax.errorbar(xs, med, yerr=[lo, hi], capsize=3, **styles[tool])
        ax.set_title(title)
        ax.set_xlabel("containers (N)")
        ax.set_ylabel("seconds (median, min–max)")
        ax.set_xticks(ns)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.2)  # room for the legend above the lines
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left")
    ax = axes.flat[4]
    for tool in TOOLS:
        xs = [n for n in ns if (tool, n, "api_calls_noop") in metrics]
        ax.plot(xs, [metrics[(tool, n, "api_calls_noop")] for n in xs], **styles[tool])
    ax.set_title("Engine API calls per no-op run")
    ax.set_xlabel("containers (N)")
    ax.set_ylabel("calls")
    ax.set_xticks(ns)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.2)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    ax = axes.flat[5]
    xs = [n for n in ns if ("dockerup", n, "pss_kb") in metrics]
    ax.plot(xs, [metrics[("dockerup", n, "pss_kb")] / 1024 for n in xs], marker="o",
            label="PSS (median)")
    ys = [metrics.get(("dockerup", n, "pss_max_kb")) for n in xs]
    if all(y is not None for y in ys):
        ax.plot(xs, [y / 1024 for y in ys], marker="v", linestyle=":", label="PSS (max)")
    ax.plot(xs, [metrics[("dockerup", n, "rss_kb")] / 1024 for n in xs], marker="^", label="RSS")
    ax.axhline(8, color="tab:red", linestyle="--", label="PSS target 8 MB")
    ax.set_title("dockerup --server idle memory")
    ax.set_xlabel("containers (N)")
    ax.set_ylabel("MB")
    ax.set_xticks(ns)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.suptitle("dockerup vs docker-compose 1.29 on one Docker 20.10 engine "
                 "(busybox containers, 1 s stop grace period)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py OUT_DIR")
    out = Path(sys.argv[1])
    times, failed = read_runs(out / "raw.csv")
    metrics = read_metrics(out / "metrics.csv")
    env = read_env(out / "env.txt")
    ns = sorted({n for (_, n, _) in times} | {n for (_, n, _) in failed})
    if not ns:
        sys.exit(f"report.py: no runs in {out / 'raw.csv'}")
    repeats = env.get("repeats", "?")
    big = env.get("repeats_100", repeats)
    setup = (f"{env.get('dockerup_version', 'dockerup ?')} (commit {env.get('dockerup_commit', '?')}) "
             f"against docker-compose {env.get('compose_version', '?')}, Docker Engine "
             f"{env.get('engine_version', '?')}"
             + (f" (a private daemon, {env['engine_socket']})"
                if env.get("engine_socket", "/var/run/docker.sock") != "/var/run/docker.sock" else "")
             + f", {env.get('cpus', '?')} CPUs, load average "
             f"{env.get('load_at_start', '?')} at the start and {env.get('load_at_end', '?')} at the end, "
             f"{env.get('date', '?')}. Medians of "
             f"{repeats} runs per cell" + (f" ({big} for N ≥ 100)" if big != repeats else "") +
             ", the two tools alternating. dockerup.conf: " +
             ", ".join(line.split(": ", 1)[1] for line in
                       (out / "env.txt").read_text().splitlines() if line.startswith("dockerup_conf: ")) +
             (f"; compose environment: {env['compose_env']}" if env.get("compose_env") else "") +
             ".")
    loads = read_loads(out / "raw.csv")
    doc = ["# dockerup vs docker-compose", "", setup, "", *load_line(loads, ns), "",
           *time_table(times, failed, ns), "",
           *metrics_table(metrics, ns), "", "Targets of issue 10, from this run:", "",
           *targets(times, metrics, ns), "", "![time against N](compare_compose.png)", ""]
    (out / "compare_compose.md").write_text("\n".join(doc))
    plot(times, metrics, ns, out / "compare_compose.png")
    print("\n".join(doc[2:-2]))
    print(f"\nwritten: {out / 'compare_compose.md'}, {out / 'compare_compose.png'}")


if __name__ == "__main__":
    main()
