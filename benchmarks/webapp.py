"""Benchmark the web app under load: 32 concurrent requests spread over ``/caption``,
``/transcribe`` and ``/translate``, against each endpoint's latency when alone. Starts its own
server (``app.py``) on a free port.

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

from benchmarks.common import machine_info, print_table, start_app, write_json
from captioning.tab import EXAMPLES_DIR as IMAGE_EXAMPLES
from speech.tab import EXAMPLES_DIR as SPEECH_EXAMPLES


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=32, help="concurrent requests")
    parser.add_argument("--alone", type=int, default=3, help="lone requests per endpoint")
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
    }
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_app(Path(tmp))
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

            names = [list(calls)[k % len(calls)] for k in range(args.requests)]
            clients = [Client(url, verbose=False, analytics_enabled=False) for _ in range(8)]

            def one(k: int) -> tuple[str, float, str | None]:
                t0 = time.perf_counter()
                try:
                    calls[names[k]](clients[k % len(clients)])
                    return names[k], time.perf_counter() - t0, None
                except Exception as err:  # noqa: BLE001  (counted and reported)
                    return names[k], time.perf_counter() - t0, repr(err)

            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.requests) as pool:
                results = list(pool.map(one, range(args.requests)))
            wall = time.perf_counter() - t0
        finally:
            proc.kill()
            proc.wait()

    def pct(values: list[float], q: float) -> float:
        values = sorted(values)
        return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]

    per_endpoint = {}
    for name in calls:
        lat = [t for n, t, e in results if n == name and e is None]
        per_endpoint[name] = {
            "alone_s": alone[name],
            "p50_s": pct(lat, 0.5) if lat else None,
            "p95_s": pct(lat, 0.95) if lat else None,
            "p95_over_alone": pct(lat, 0.95) / alone[name] if lat else None,
        }
    latencies = [t for _, t, e in results if e is None]
    errors = [e for _, _, e in results if e is not None]
    result = {
        "benchmark": "webapp",
        "machine": machine_info(os.cpu_count() or 1),
        "requests": args.requests,
        "errors": len(errors),
        "error_messages": errors[:5],
        "wall_s": wall,
        "p50_s": pct(latencies, 0.5) if latencies else None,
        "p95_s": pct(latencies, 0.95) if latencies else None,
        "endpoints": per_endpoint,
        "note": "the server runs two requests per endpoint at a time (concurrency_limit=2);"
        " the rest wait in its queue",
    }
    print(f"{args.requests} concurrent requests, {len(errors)} errors, {wall:.1f} s in all")
    print_table(
        [
            (
                name,
                f"{v['alone_s']:.2f}",
                f"{v['p50_s']:.2f}" if v["p50_s"] else "-",
                f"{v['p95_s']:.2f}" if v["p95_s"] else "-",
                f"{v['p95_over_alone']:.1f}x" if v["p95_over_alone"] else "-",
            )
            for name, v in per_endpoint.items()
        ],
        ("endpoint", "alone s", "p50 s", "p95 s", "p95 / alone"),
    )
    print(f"\nwrote {write_json(result, args.out)}")
    return result


if __name__ == "__main__":
    main()
