"""Turn the measurements of ``bench/run.sh`` (var/bench/...) into markdown tables with the targets beside them.

Plain Python (no Django): ``python3 bench/report.py var/bench``.
"""

import json
import re
import statistics
import sys
from pathlib import Path

PAGE_RATIO, SIGN_RATIO, P95_MS, MAX_QUERIES, IMPORT_RATIO = 0.25, 0.40, 250, 15, 0.15
REPORT_SMALL_S, REPORT_SMALL_MB, REPORT_LARGE_S = 20, 400, 120


def load(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def mark(ok) -> str:
    return "—" if ok is None else ("PASS" if ok else "**MISS**")


def pct(x) -> str:
    return "—" if x is None else f"{100 * x:.0f} %"


def scale_label(directory: Path) -> str:
    units, staff, cases = (int(x) for x in (directory / "scale.txt").read_text().split())
    return f"{units:,} units / {staff:,} staff / {cases:,} cases"


def _median(values):
    values = sorted(v for v in values if v is not None)
    return statistics.median(values) if values else None


def load_runs(directory: Path) -> list[dict]:
    """Each page with the /ping/ runs alternating with it: medians over the rounds."""
    runs = []
    n = 1

    def files(n):
        return sorted([*directory.glob(f"page-{n}-*.json"), *directory.glob(f"page-{n}.json")])

    while files(n):
        rounds = []
        for path in files(n):
            page, ping = load(path), load(directory / path.name.replace("page-", "ping-"))
            if page and ping:
                rounds.append((page, ping))
        n += 1
        if not rounds:
            continue
        name = rounds[0][0]["scenario"]

        def entry(data, key="Aggregated"):
            return data["entries"].get(key, {})

        row = {
            "name": name,
            "rounds": len(rounds),
            "rps": statistics.mean(entry(p).get("rps", 0.0) for p, _ in rounds),
            "ping_rps": statistics.mean(entry(q).get("rps", 0.0) for _, q in rounds),
            "p50": _median(entry(p).get("p50_ms") for p, _ in rounds),
            "p95": _median(entry(p).get("p95_ms") for p, _ in rounds),
            "failures": sum(entry(p).get("failures", 0) + entry(q).get("failures", 0) for p, q in rounds),
            "cpu": _median(p.get("generator_cpu_share") for p, _ in rounds),
        }
        row["best_rps"] = max(entry(p).get("rps", 0.0) for p, _ in rounds)
        row["best_ping_rps"] = max(entry(q).get("rps", 0.0) for _, q in rounds)
        ratios = [entry(p).get("rps", 0) / entry(q)["rps"] for p, q in rounds if entry(q).get("rps")]
        row["paired"], row["ratio_range"] = _median(ratios), (min(ratios), max(ratios)) if ratios else None
        if name == "signing":
            post = [entry(p, "signing POST") for p, _ in rounds]
            get = [entry(p, "signing GET") for p, _ in rounds]
            row["signatures"] = statistics.mean(e.get("rps", 0.0) for e in post)
            row["post_p95"] = _median(e.get("p95_ms") for e in post)
            row["get_p95"] = _median(e.get("p95_ms") for e in get)
            row["p50"] = max(_median(e.get("p50_ms") for e in post) or 0, _median(e.get("p50_ms") for e in get) or 0)
            row["p95"] = max(row["post_p95"] or 0, row["get_p95"] or 0)
        runs.append(row)
    return runs


def signing_table(directory: Path) -> dict:
    text = (directory / "signing.md").read_text() if (directory / "signing.md").exists() else ""
    values = dict(re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", text, flags=re.M))
    return values


def report_numbers(directory: Path):
    text = (directory / "report.time").read_text().strip() if (directory / "report.time").exists() else ""
    if not text or text.startswith("skipped") or "failed" in text:
        return None, None, text or "not run"
    seconds, kib = text.splitlines()[-1].split()
    return float(seconds), int(kib) / 1024, ""


def main(root: Path) -> None:
    machine = load(root / "machine.json") or {}
    scales = sorted(root.glob("scale-*"), key=lambda p: int(p.name.split("-")[1]))
    print("# SATGAS benchmark (`make bench`)\n")
    print(
        f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, {machine.get('memory_gib', '?')} GiB; "
        f"PostgreSQL {machine.get('postgresql', '?')}; Python {machine.get('python', '?')}; commit "
        f"{machine.get('commit', '?')}; {machine.get('date', '?')} (load average at start "
        f"{', '.join(f'{x:.1f}' for x in machine.get('load_average', []))}).\n"
        f"Load: locust, {machine.get('users', '?')} users without think time; per page "
        f"{machine.get('rounds', 1)} runs of "
        f'{machine.get("duration_s", "?")} s alternating with runs of `/ping/` (login required, text/plain "ok") '
        "against the same gunicorn (gunicorn.conf.py, 4 sync workers); ratio = median over the rounds of page "
        "req/s ÷ the /ping/ req/s of the run just before; *best runs* = the best page run ÷ the best /ping/ run of "
        "the scale (a check against runs disturbed by other work; targets are judged on the paired median); "
        "p50/p95 = medians over the rounds. The load generator runs on the same cores.\n"
    )
    queries_by_scale = {}
    summary = []
    last = len(scales)
    for number, directory in enumerate(scales, start=1):
        label = scale_label(directory)
        larger = number == last
        print(f"## Scale {number}: {label}\n")
        seed_text = (directory / "seed.md").read_text() if (directory / "seed.md").exists() else ""
        seeded = re.search(r"in ([0-9.]+) s", seed_text)
        if seeded:
            print(f"`seed_scale`: {seeded.group(1)} s (PostgreSQL COPY).\n")
        queries = load(directory / "queries.json") or {}
        queries_by_scale[number] = queries
        print(
            "| page | SQL queries | req/s | /ping/ req/s | ratio (range) | best runs | target | p50 | p95 | target p95 "
            "| errors |"
        )
        print("|---|---:|---:|---:|---:|---:|---|---:|---:|---|---:|")
        runs = load_runs(directory)
        best_ping = max((r["best_ping_rps"] for r in runs), default=0.0)
        for run in runs:
            # Targets are judged on the paired median; "best runs" (the best page run ÷ the best /ping/ run of the
            # scale) is shown beside it as a check against runs disturbed by other work on the machine.
            run["ratio"] = run["paired"]
            run["best"] = run["best_rps"] / best_ping if best_ping else None
            signing = run["name"] == "signing"
            target = SIGN_RATIO if signing else PAGE_RATIO
            q = queries.get(run["name"], "?")
            if signing:
                q = f"{queries.get('signing GET', '?')} + {queries.get('signing POST', '?')}"
            name = "oath signing (GET form + POST)" if signing else run["name"]
            print(
                f"| {name} | {q} | {run['rps']:.1f} | {run['ping_rps']:.1f} | {pct(run['paired'])} "
                f"({pct(run['ratio_range'][0])}–{pct(run['ratio_range'][1])}) | {pct(run['best'])} | "
                f"≥ {pct(target)} {mark(run['ratio'] is not None and run['ratio'] >= target)} | {run['p50']:.0f} ms | "
                f"{run['p95']:.0f} ms | ≤ {P95_MS} ms {mark((run['p95'] or 0) <= P95_MS)} | {run['failures']} |"
            )
            if larger:
                summary.append((f"{name}: throughput vs /ping/ (larger scale)", pct(run["ratio"]), f"≥ {pct(target)}",
                                mark(run["ratio"] is not None and run["ratio"] >= target)))  # fmt: skip
            summary.append((f"{name}: p95 at {machine.get('users', 20)} users, scale {number}", f"{run['p95']:.0f} ms",
                            f"≤ {P95_MS} ms", mark((run["p95"] or 0) <= P95_MS)))  # fmt: skip
            if signing:
                print(
                    f"\nSigning: {run['signatures']:.1f} signatures/s (GET + POST per signature) = "
                    f"{pct(run['best_rps'] / 2 / best_ping if best_ping else None)} of the best /ping/ per signature; "
                    f"p95 GET {run['get_p95']:.0f} ms, POST {run['post_p95']:.0f} ms."
                )
        cpus = [r["cpu"] for r in load_runs(directory) if r["cpu"] is not None]
        if cpus:
            print(f"\nThe load generator itself used {min(cpus):.2f}–{max(cpus):.2f} of a core during the runs.")
        values = signing_table(directory)
        if values:
            print("\n1,000 concurrent signing requests (`bench_signing`, 40 client threads):\n")
            print("| metric | result | target |\n|---|---|---|")
            for key, value in values.items():
                if key in ("metric",) or set(value) <= {"-"}:
                    continue
                target = {"duplicate signatures": "0", "server errors (5xx or connection)": "0"}.get(key, "")
                print(f"| {key} | {value} | {target} |")
            for key in ("duplicate signatures", "server errors (5xx or connection)"):
                if key in values:
                    ok = mark(values[key].strip() == "0")
                    summary.append((f"1,000 signings, scale {number}: {key}", values[key], "0", ok))
        seconds, mib, note = report_numbers(directory)
        print("\nSix-monthly report (`semester_report --period 2024-1`):", end=" ")
        if seconds is None:
            print(note)
        else:
            small = number == 1
            limit = REPORT_SMALL_S if small else REPORT_LARGE_S
            print(f"{seconds:.1f} s, peak RSS {mib:.0f} MB (target ≤ {limit} s{', ≤ 400 MB' if small else ''}).")
            summary.append((f"report time, scale {number}", f"{seconds:.1f} s", f"≤ {limit} s", mark(seconds <= limit)))
            if small:
                ok = mark(mib <= REPORT_SMALL_MB)
                summary.append((f"report memory, scale {number}", f"{mib:.0f} MB", f"≤ {REPORT_SMALL_MB} MB", ok))
        imported = load(directory / "import.json")
        if imported:
            ratio = imported.get("ratio")
            print(
                f"\nImport of {imported['rows']:,} new employees (`import_personnel`, validation included): "
                f"{imported['import_seconds']:.1f} s = {imported['import_rows_per_second']:,.0f} rows/s; raw COPY of "
                f"the same rows: {imported.get('copy_seconds', 0):.3f} s = "
                f"{imported.get('copy_rows_per_second', 0):,.0f} rows/s; ratio {pct(ratio)} "
                f"(target ≥ {pct(IMPORT_RATIO)} {mark(ratio is not None and ratio >= IMPORT_RATIO)})."
            )
            summary.append((f"import vs COPY, scale {number}", pct(ratio), f"≥ {pct(IMPORT_RATIO)}",
                            mark(ratio is not None and ratio >= IMPORT_RATIO)))  # fmt: skip
        print()

    if queries_by_scale:
        print("## SQL queries per request across scales\n")
        names = list(next(iter(queries_by_scale.values())).keys())
        print("| page | " + " | ".join(f"scale {n}" for n in queries_by_scale) + " | constant | ≤ 15 |")
        print("|---|" + "---:|" * len(queries_by_scale) + "---|---|")
        for name in names:
            counts = [queries_by_scale[n].get(name) for n in queries_by_scale]
            same = len(set(counts)) == 1
            small = all(c is not None and c <= MAX_QUERIES for c in counts)
            print(f"| {name} | " + " | ".join(str(c) for c in counts) + f" | {mark(same)} | {mark(small)} |")
            shown = " / ".join(str(c) for c in counts)
            summary.append((f"queries: {name}", shown, f"constant, ≤ {MAX_QUERIES}", mark(same and small)))
        print()

    for directory in sorted(root.glob("sqlite-*")):
        print(f"## SQLite ({scale_label(directory)})\n")
        queries = load(directory / "queries.json") or {}
        if queries:
            print("SQL queries per request: " + ", ".join(f"{k} {v}" for k, v in queries.items()) + ".\n")
        imported = load(directory / "import.json")
        if imported:
            print(
                f"Import of {imported['rows']:,} new employees: {imported['import_seconds']:.1f} s = "
                f"{imported['import_rows_per_second']:,.0f} rows/s (SQLite has no COPY to compare with).\n"
            )

    print("## Targets\n\n| target | result | wanted | |\n|---|---|---|---|")
    for row in summary:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "var/bench"))
