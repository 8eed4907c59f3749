"""Benchmark the web app under load: 32 requests spread over ``/caption``, ``/transcribe``,
``/translate`` and ``/classify``, against each endpoint's latency when alone. Starts its own server
(``app.py``) on a free port.

Two ways of sending them: a burst (all 32 in flight at once; the queue holds what the server
is not running) and paced at the server's configured concurrency (``--concurrency`` per
endpoint, so four times that in flight, a new one as soon as one returns).

Example:
    python -m benchmarks.webapp --requests 32
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app import default_concurrency
from benchmarks.common import machine_info, print_table, start_app, write_json
from captioning.tab import EXAMPLES_DIR as IMAGE_EXAMPLES
from speech.tab import EXAMPLES_DIR as SPEECH_EXAMPLES


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=32, help="requests per run")
    parser.add_argument("--alone", type=int, default=3, help="lone requests per endpoint")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=default_concurrency(),
        help="the server's requests at once per endpoint (default: app.py's default here)",
    )
    parser.add_argument("--out", default="benchmarks/results/webapp.json")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gradio_client import Client, handle_file

    calls = {
        "/caption": lambda c: c.predict(
            handle_file(str(sorted(IMAGE_EXAMPLES.glob("*.png"))[0])), api_name="/caption"
        ),
        "/transcribe": lambda c: c.predict(
            handle_file(str(sorted(SPEECH_EXAMPLES.glob("*.wav"))[0])), api_name="/transcribe"
        ),
        "/translate": lambda c: c.predict("The file could not be opened.", api_name="/translate"),
        "/classify": lambda c: c.predict(
            "wake me up at 7 tomorrow", "gru", 0, api_name="/classify"
        ),
    }
    names = [list(calls)[k % len(calls)] for k in range(args.requests)]
    runs = {"burst": args.requests, "paced": args.concurrency * len(calls)}
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_app(Path(tmp), "--concurrency", str(args.concurrency))
        log = next(Path(tmp).glob("app-*.log"))
        try:
            client = Client(url, verbose=False, analytics_enabled=False)
            for call in calls.values():
                call(client)  # loads each model once
            alone = {}
            for name, call in calls.items():
                times = []
                for _ in range(args.alone):
                    t0 = time.perf_counter()
                    call(client)
                    times.append(time.perf_counter() - t0)
                alone[name] = statistics.median(times)
            # One client per request in flight: a gradio_client Client is not shared across threads.
            clients = [
                Client(url, verbose=False, analytics_enabled=False) for _ in range(args.requests)
            ]

            def one(k: int) -> tuple[str, float, str | None]:
                t0 = time.perf_counter()
                try:
                    calls[names[k]](clients[k % len(clients)])
                    return names[k], time.perf_counter() - t0, None
                except Exception as err:  # noqa: BLE001  (counted and reported)
                    return names[k], time.perf_counter() - t0, f"{names[k]}: {err!r}"

            for run, in_flight in runs.items():
                t0 = time.perf_counter()
                with ThreadPoolExecutor(in_flight) as pool:
                    results = list(pool.map(one, range(args.requests)))
                wall = time.perf_counter() - t0
                latencies = [t for _, t, e in results if e is None]
                errors = [e for _, _, e in results if e is not None]
                endpoints = {}
                for name in calls:
                    mine = [t for n, t, e in results if n == name and e is None]
                    p95 = percentile(mine, 0.95)
                    endpoints[name] = {
                        "alone_s": alone[name],
                        "p50_s": percentile(mine, 0.5),
                        "p95_s": p95,
                        "p95_over_alone": p95 / alone[name] if p95 else None,
                    }
                report[run] = {
                    "in_flight": in_flight,
                    "errors": len(errors),
                    "error_messages": errors[:5],
                    "wall_s": wall,
                    "p50_s": percentile(latencies, 0.5),
                    "p95_s": percentile(latencies, 0.95),
                    "endpoints": endpoints,
                }
        finally:
            proc.kill()
            proc.wait()
            server_log = log.read_text()[-3000:]

    result = {
        "benchmark": "webapp",
        "machine": machine_info(os.cpu_count() or 1),
        "requests": args.requests,
        "concurrency_per_endpoint": args.concurrency,
        "runs": report,
        "server_log_tail": server_log if any(r["errors"] for r in report.values()) else "",
    }
    for run, r in report.items():
        print(
            f"\n{run}: {args.requests} requests, {r['in_flight']} in flight, {r['errors']} errors,"
            f" {r['wall_s']:.1f} s in all"
        )
        print_table(
            [
                (
                    name,
                    f"{v['alone_s']:.2f}",
                    f"{v['p50_s']:.2f}" if v["p50_s"] else "-",
                    f"{v['p95_s']:.2f}" if v["p95_s"] else "-",
                    f"{v['p95_over_alone']:.1f}x" if v["p95_over_alone"] else "-",
                )
                for name, v in r["endpoints"].items()
            ],
            ("endpoint", "alone s", "p50 s", "p95 s", "p95 / alone"),
        )
    print(f"\nwrote {write_json(result, args.out)}")
    return result


if __name__ == "__main__":
    main()
