"""Turns the JSON lines of `scripts/bench.sh compare` into one table and one JSON file.

usage: report.py RUNS.jsonl OUT.json [--meta key=value ...]

Each input line is {"side": raw|celeriac|python, "repeat": n, "loadavg": "1m 5m 15m",
"data": <one celeriac-bench / raw-limit JSON line, a memory sample or an item's CPU record>}.
Medians over repeats. A second table says where the time goes: CPU µs per task (per chord) of
the broker, Redis, the workers and the producer, and how many of the cores were busy.
"""
import datetime
import json
import os
import statistics
import sys

TARGETS = {
    "throughput_vs_python": 10.0,   # items 1-3: at least 10x Python Celery
    "tasks_vs_raw": 0.5,            # item 1: at least 50 % of the raw limit
    "latency_p50_ms": 1.0,          # item 4
    "latency_p99_ms": 5.0,
    "idle_rss_mb": 30.0,            # item 7, per worker process
}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    runs_path, out_path = sys.argv[1], sys.argv[2]
    meta = {}
    if "--meta" in sys.argv:
        for item in sys.argv[sys.argv.index("--meta") + 1:]:
            key, _, value = item.partition("=")
            meta[key] = value
    runs = [json.loads(line) for line in open(runs_path) if line.strip()]

    def series(side, benchmark, field):
        return [r["data"].get(field) for r in runs if r["side"] == side and r["data"].get("benchmark") == benchmark]

    def med(side, benchmark, field):
        return median(series(side, benchmark, field))

    def memory(side, benchmark):
        """Median over repeats of: per-process values by role, and the total."""
        samples = [r["data"]["processes"] for r in runs if r["side"] == side and r["data"].get("benchmark") == benchmark]
        if not samples:
            return None
        out = {}
        for role in sorted({p["role"] for s in samples for p in s}):
            out[role] = {
                "processes": median([len([p for p in s if p["role"] == role]) for s in samples]),
                "rss_mb_max_process": median([max([p["rss_kb"] for p in s if p["role"] == role] or [0]) / 1024 for s in samples]),
                "hwm_mb_max_process": median([max([p["hwm_kb"] for p in s if p["role"] == role] or [0]) / 1024 for s in samples]),
            }
        out["total_rss_mb"] = median([sum(p["rss_kb"] for p in s) / 1024 for s in samples])
        out["total_hwm_mb"] = median([sum(p["hwm_kb"] for p in s) / 1024 for s in samples])
        return out

    m = {side: {} for side in ("raw", "celeriac", "python")}
    for side in ("celeriac", "python"):
        m[side]["tasks_per_second"] = med(side, "tasks", "tasks_per_second")
        m[side]["ignored_tasks_per_second"] = med(side, "tasks_ignored", "tasks_per_second")
        m[side]["chords_per_second"] = med(side, "chords", "chords_per_second")
        m[side]["chord_latency_p50_ms"] = med(side, "chords", "latency_p50_ms")
        m[side]["chord_latency_p99_ms"] = med(side, "chords", "latency_p99_ms")
        m[side]["roundtrip_p50_ms"] = med(side, "latency", "p50_ms")
        m[side]["roundtrip_p99_ms"] = med(side, "latency", "p99_ms")
        m[side]["roundtrip_apply_get_p50_ms"] = med(side, "latency", "apply_get_p50_ms")
        m[side]["roundtrip_apply_get_p99_ms"] = med(side, "latency", "apply_get_p99_ms")
        m[side]["memory_idle"] = memory(side, "memory_idle")
        m[side]["memory_after_tasks"] = memory(side, "memory_after_tasks")
        m[side]["memory_end"] = memory(side, "memory_end")
    def cpu(side, item):
        """Median CPU µs per unit (task or chord) of each process group, and how many cores were busy."""
        records = [r["data"] for r in runs if r["side"] == side and r["data"].get("benchmark") == "cpu_" + item]
        if not records:
            return None
        out = {}
        for group in ("broker", "redis", "workers"):
            out[group] = median([d[group + "_ticks"] * 1e6 / d["clk_tck"] / d["units"] for d in records])
        # A side's producer reports its own CPU; the raw loop's one process (producer and
        # consumers) is timed by the compare script.
        for group in ("producer", "process"):
            out[group] = median([d[group + "_cpu_seconds"] * 1e6 / d["units"]
                                 for d in records if d.get(group + "_cpu_seconds") is not None])
        out["total"] = sum(v for v in out.values() if v is not None)
        out["cores_busy"] = median([((d["broker_ticks"] + d["redis_ticks"] + d["workers_ticks"]) / d["clk_tck"]
                                     + (d.get("producer_cpu_seconds") or 0) + (d.get("process_cpu_seconds") or 0))
                                    / d["seconds"] for d in records if d.get("seconds")])
        return out

    for side in ("celeriac", "python"):
        m[side]["cpu_us_per_unit"] = {item: cpu(side, item) for item in ("tasks", "ignored", "chords")}
    raw_shapes = sorted({r["data"]["benchmark"][len("cpu_raw_"):] for r in runs
                         if r["side"] == "raw" and r["data"].get("benchmark", "").startswith("cpu_raw_")})
    m["raw"]["cpu_us_per_unit"] = {shape: cpu("raw", "raw_" + shape) for shape in raw_shapes}
    m["celeriac"]["loans_per_second"] = med("celeriac", "loans", "loans_per_second")
    m["celeriac"]["loan_latency_p50_ms"] = med("celeriac", "loans", "latency_p50_ms")
    def raw_records(benchmark):
        return [r for r in runs if r["side"] == "raw" and r["data"].get("benchmark") == benchmark
                and r["data"].get("messages_per_second") is not None]

    def best_per_repeat(benchmark):
        """Median over repeats of each repeat's limit: the fastest of the raw loop's shapes
        (consumer counts) measured in it."""
        best = {}
        for r in raw_records(benchmark):
            best[r["repeat"]] = max(best.get(r["repeat"], 0), r["data"]["messages_per_second"])
        return median(list(best.values()))

    def by_consumers(benchmark):
        """Median rate of each consumer count over the repeats."""
        rates = {}
        for r in raw_records(benchmark):
            rates.setdefault(r["data"].get("consumers"), []).append(r["data"]["messages_per_second"])
        return {str(n): median(v) for n, v in sorted(rates.items(), key=lambda item: item[0] or 0)}

    m["raw"]["messages_per_second"] = best_per_repeat("raw_limit")
    m["raw"]["ignored_messages_per_second"] = best_per_repeat("raw_limit_ignored")
    m["raw"]["by_consumers"] = {"results": by_consumers("raw_limit"), "ignored": by_consumers("raw_limit_ignored")}

    def ratio(a, b):
        return a / b if a is not None and b else None

    c, p, raw = m["celeriac"], m["python"], m["raw"]
    ratios = {
        "tasks_vs_python": ratio(c["tasks_per_second"], p["tasks_per_second"]),
        "ignored_vs_python": ratio(c["ignored_tasks_per_second"], p["ignored_tasks_per_second"]),
        "chords_vs_python": ratio(c["chords_per_second"], p["chords_per_second"]),
        "tasks_vs_raw": ratio(c["tasks_per_second"], raw["messages_per_second"]),
        "python_tasks_vs_raw": ratio(p["tasks_per_second"], raw["messages_per_second"]),
        "ignored_vs_raw": ratio(c["ignored_tasks_per_second"], raw["ignored_messages_per_second"]),
        "python_ignored_vs_raw": ratio(p["ignored_tasks_per_second"], raw["ignored_messages_per_second"]),
    }
    loads = [float(r["loadavg"].split()[0]) for r in runs]
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "loadavg_1m_median": median(loads),
                    "loadavg_1m_min": min(loads) if loads else None, "loadavg_1m_max": max(loads) if loads else None,
                    "loadavg_at_report": open("/proc/loadavg").read().split()[:3]},
        "config": meta,
        "medians": m,
        "ratios": ratios,
        "targets": TARGETS,
        "runs": runs,
    }
    with open(out_path, "w") as f:
        json.dump(result, f, indent=2)
    print(table(result))


def fmt(value, digits=0, unit=""):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}{unit}"


def verdict(ok):
    return "ok" if ok else "MISS"


def table(result):
    m, r, t = result["medians"], result["ratios"], result["targets"]
    c, p, raw = m["celeriac"], m["python"], m["raw"]
    rows = [("item", "Celeriac", "Python Celery", "ratio / target")]

    def vs(ratio_value, target):
        if ratio_value is None:
            return "—"
        return f"{ratio_value:.1f}× (≥{target:g}× {verdict(ratio_value >= target)})"

    rows.append(("1 demo.add, results stored (tasks/s)", fmt(c["tasks_per_second"]), fmt(p["tasks_per_second"]),
                 vs(r["tasks_vs_python"], t["throughput_vs_python"])))
    rows.append(("2 demo.add, results ignored (tasks/s)", fmt(c["ignored_tasks_per_second"]), fmt(p["ignored_tasks_per_second"]),
                 vs(r["ignored_vs_python"], t["throughput_vs_python"])))
    rows.append(("3 chords 2×add→sum (chords/s)", fmt(c["chords_per_second"]), fmt(p["chords_per_second"]),
                 vs(r["chords_vs_python"], t["throughput_vs_python"])))
    rows.append(("3 chord latency p50 / p99 (ms)", f"{fmt(c['chord_latency_p50_ms'])} / {fmt(c['chord_latency_p99_ms'])}",
                 f"{fmt(p['chord_latency_p50_ms'])} / {fmt(p['chord_latency_p99_ms'])}", ""))
    p50, p99 = c["roundtrip_p50_ms"], c["roundtrip_p99_ms"]
    rows.append(("4 round trip p50 / p99 (ms)", f"{fmt(p50, 2)} / {fmt(p99, 2)}",
                 f"{fmt(p['roundtrip_p50_ms'], 2)} / {fmt(p['roundtrip_p99_ms'], 2)}",
                 "" if p50 is None else f"<1 / <5 ({verdict(p50 < t['latency_p50_ms'])} / {verdict(p99 < t['latency_p99_ms'])})"))
    rows.append(("4 the same through apply, then get (ms)",
                 f"{fmt(c['roundtrip_apply_get_p50_ms'], 2)} / {fmt(c['roundtrip_apply_get_p99_ms'], 2)}",
                 f"{fmt(p['roundtrip_apply_get_p50_ms'], 2)} / {fmt(p['roundtrip_apply_get_p99_ms'], 2)}", ""))
    rows.append(("5 loans to terminal state (loans/s)", fmt(c["loans_per_second"], 1), "n/a (no loan tasks)", ""))
    frac = r["tasks_vs_raw"]
    rows.append(("6 raw limit (messages/s) / item 1 as fraction", fmt(raw["messages_per_second"]),
                 fmt(r["python_tasks_vs_raw"] and r["python_tasks_vs_raw"] * 100, 1, " %"),
                 "" if frac is None else f"Celeriac {frac * 100:.0f} % (≥50 % {verdict(frac >= t['tasks_vs_raw'])})"))
    ifrac = r["ignored_vs_raw"]
    rows.append(("6 raw limit without Redis (messages/s) / item 2 as fraction", fmt(raw["ignored_messages_per_second"]),
                 fmt(r["python_ignored_vs_raw"] and r["python_ignored_vs_raw"] * 100, 1, " %"),
                 "" if ifrac is None else f"Celeriac {ifrac * 100:.0f} %"))
    shapes = raw.get("by_consumers") or {}
    if len(shapes.get("results") or {}) > 1:
        ignored = shapes.get("ignored") or {}
        rows.append(("6 raw limit = the faster of: consumers → with / without Redis",
                     "; ".join(f"{n}: {fmt(v)} / {fmt(ignored.get(n))}" for n, v in shapes["results"].items()), "", ""))

    def mem(side, key, role, field):
        data = m[side][key]
        return None if not data or role not in data else data[role][field]

    idle = mem("celeriac", "memory_idle", "worker", "rss_mb_max_process")
    rows.append(("7 RSS idle per worker process (MB)", fmt(idle, 1),
                 f"main {fmt(mem('python', 'memory_idle', 'main', 'rss_mb_max_process'), 1)}, child {fmt(mem('python', 'memory_idle', 'child', 'rss_mb_max_process'), 1)}",
                 "" if idle is None else f"<30 ({verdict(idle < t['idle_rss_mb'])})"))
    rows.append(("7 peak RSS after item 1 per process (MB)", fmt(mem("celeriac", "memory_after_tasks", "worker", "hwm_mb_max_process"), 1),
                 f"main {fmt(mem('python', 'memory_after_tasks', 'main', 'hwm_mb_max_process'), 1)}, child {fmt(mem('python', 'memory_after_tasks', 'child', 'hwm_mb_max_process'), 1)}", ""))
    ct = m["celeriac"]["memory_end"]
    pt = m["python"]["memory_end"]
    rows.append(("7 peak RSS total, all worker processes (MB)", fmt(ct and ct["total_hwm_mb"], 1), fmt(pt and pt["total_hwm_mb"], 1), ""))
    lines = [render(rows), "", cpu_table(m)]
    machine = result["machine"]
    lines.append("")
    lines.append(f"{result['date']}  {machine['cpus']} CPUs  load average (1 min) median {machine['loadavg_1m_median']}, "
                 f"range {machine['loadavg_1m_min']}–{machine['loadavg_1m_max']}  repeats {result['config'].get('repeats')}  "
                 f"commit {result['config'].get('commit')}")
    return "\n".join(lines)


def cpu_table(m):
    """Where the time goes: CPU µs per task (per chord for item 3) of each process group."""
    rows = [("CPU per unit (µs, medians)", "broker", "Redis", "workers", "producer", "total", "cores busy")]
    names = {"tasks": "1 results stored, per task", "ignored": "2 results ignored, per task", "chords": "3 chords, per chord"}
    raw = m["raw"].get("cpu_us_per_unit") or {}
    for item, name in names.items():
        for side in ("celeriac", "python"):
            c = m[side]["cpu_us_per_unit"][item]
            if c:
                rows.append((f"{side} {name}", fmt(c["broker"]), fmt(c["redis"]), fmt(c["workers"]),
                             fmt(c["producer"]), fmt(c["total"]), fmt(c["cores_busy"], 2)))
        # The raw loop's limits of items 1 and 2, per message, for each consumer count.
        kind = {"tasks": "results", "ignored": "ignored"}.get(item)
        for shape, c in sorted(raw.items()):
            if kind and c and shape.startswith(kind + "_"):
                consumers = shape[len(kind) + 1:]
                rows.append((f"raw loop {name.split(',')[0][2:]}, {consumers} consumer(s), per message",
                             fmt(c["broker"]), fmt(c["redis"]), fmt(c["process"]), "(in workers)",
                             fmt(c["total"]), fmt(c["cores_busy"], 2)))
    table = render(rows)
    if raw:
        table += ("\nraw loop rows: the raw-limit process (its producer and consumer threads together) "
                  "is under workers.")
    return table


def render(rows):
    """Rows as aligned text columns, the first row a header underlined."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
        if index == 0:
            lines.append("-+-".join("-" * w for w in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
