"""Bulk apply of N JSONL rows against a bare asyncio httpx loop; peak memory from 1,000 to 100,000 rows.

    python bench/bulk.py [--rows 10000] [--concurrency 8] [--rounds 2] [--memory-rows 100000]

Throughput: ``profile-editor-cli bulk FILE --concurrency 8`` (journal, report, retries, outcome
mapping, all of it) and a bare loop of 8 asyncio workers posting the same bodies with one
``httpx.AsyncClient`` each run in a fresh process against the same sandbox, which runs in a
process of its own; rounds alternate and the medians are compared.

Memory: the same bulk engine in a fresh process per size, with an in-process transport that
answers every POST at once (100,000 real sends to the sandbox would take minutes and measure the
sandbox); the peak resident size of 1,000 rows is subtracted from that of 100,000 rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import median, report, sandbox_process

BARE_LOOP = r"""
import asyncio, json, sys
import httpx

async def main(url, key, path, concurrency):
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    queue = asyncio.Queue()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            queue.put_nowait((row["recipient_id"], json.dumps({"profile": row["profile"]})))
    async with httpx.AsyncClient(base_url=url, headers=headers) as client:
        async def worker():
            while not queue.empty():
                rid, body = queue.get_nowait()
                response = await client.post(f"/profiles/{rid}", content=body)
                assert response.status_code == 200, response.text
        await asyncio.gather(*(worker() for _ in range(concurrency)))

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
"""

MEMORY = r"""
import resource, sys
from pathlib import Path
import httpx
from profile_editor.bulk.session import BulkJob
from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.transport import SharedClient
from profile_editor.core.methods import Method
from profile_editor.core.send.plan import Target

def answer(request):
    return httpx.Response(200, json={"status": "SUCCESS"})

source, work = Path(sys.argv[1]), Path(sys.argv[2])
client = ProfilesClient(SharedClient(httpx.MockTransport(answer)))
job = BulkJob(
    input_path=source, method=Method.POST, target=Target(base_url="http://127.0.0.1:9"),
    client=client, api_key="bench-key", concurrency=8,
    journal_path=work / "journal.jsonl", report_path=work / "report.csv",
)
job.prepare()
counts = job.run()
assert counts.done == int(sys.argv[3]), counts
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux
"""


def write_rows(path: Path, count: int, prefix: str) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(count):
            profile = {
                "email": f"user{n}@example.com",
                "locale": "fr-FR",
                "custom": {"plan": "pro", "n": n},
            }
            handle.write(json.dumps({"recipient_id": f"{prefix}-{n}", "profile": profile}) + "\n")
    return path


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def throughput(args: argparse.Namespace, work: Path) -> tuple[float, float]:
    bare_times, bulk_times = [], []
    with sandbox_process() as (url, key):
        env = dict(os.environ, COURIER_API_KEY=key)
        for round_ in range(args.rounds):
            rows = write_rows(work / f"rows-{round_}.jsonl", args.rows, f"r{round_}")
            bare = [sys.executable, "-c", BARE_LOOP, url, key, str(rows), str(args.concurrency)]
            bulk = [
                sys.executable,
                "-m",
                "profile_editor.cli",
                "--base-url",
                url,
                "--data-dir",
                str(work / "data"),
                "bulk",
                str(rows),
                "--concurrency",
                str(args.concurrency),
                "--report",
                str(work / f"report-{round_}.csv"),
            ]
            # Alternate which goes first, so neither always meets a warmer sandbox.
            if round_ % 2:
                bulk_times.append(timed(bulk, env))
                bare_times.append(timed(bare, env))
            else:
                bare_times.append(timed(bare, env))
                bulk_times.append(timed(bulk, env))
    return median(bare_times), median(bulk_times)


def peak_kib(rows: int, work: Path) -> int:
    folder = work / f"mem-{rows}"
    folder.mkdir()
    source = write_rows(folder / "rows.jsonl", rows, "m")
    done = subprocess.run(
        [sys.executable, "-c", MEMORY, str(source), str(folder), str(rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--memory-rows", type=int, default=100_000)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    bare, bulk = throughput(args, work)
    report(
        f"{args.rows:,} JSONL rows at concurrency {args.concurrency}, median of {args.rounds} rounds",
        [
            ("bare asyncio httpx loop (process)", bare * 1000, "ms"),
            ("profile-editor-cli bulk (process)", bulk * 1000, "ms"),
            ("bulk rows per second", args.rows / bulk, "rows/s"),
        ],
        bulk / bare,
        1.3,
    )
    if args.skip_memory:
        return
    small = peak_kib(1_000, work)
    large = peak_kib(args.memory_rows, work)
    growth_mb = (large - small) / 1024
    print("peak memory, bulk engine with an instant transport")
    print(f"  {'1,000 rows':<40} {small / 1024:10.1f} MB")
    print(f"  {f'{args.memory_rows:,} rows':<40} {large / 1024:10.1f} MB")
    verdict = "OK" if growth_mb < 50 else "OVER TARGET"
    print(f"  growth {growth_mb:.1f} MB (target < 50 MB): {verdict}")


if __name__ == "__main__":
    main()
