"""Merges per second the sandbox holds as concurrency rises, against a server that does no work.

    python bench/sandbox_load.py [--merges 5000] [--recipients 200] [--concurrency 8 32 200]
                                 [--storage memory file] [--rounds 1] [--timeout 120]
                                 [--burst 500] [--client raw|httpx]

Each run sends ``--merges`` POST /profiles/{id} merges spread over ``--recipients`` recipients
from ``--concurrency`` keep-alive connections at once, then reads every profile back to check that
no merge was lost (each merge adds its own key). The client is a minimal asyncio HTTP/1.1 client
(hand-built requests, Content-Length answers), so that it costs as little of the 2 shared cores
as possible. The same client, in the same run, drives two floors, each in its own process:

- an asyncio server that answers every request with a fixed body and does nothing else: what the
  client, the loopback and a single-threaded Python server cost at the least;
- a stdlib ``ThreadingHTTPServer`` answering the same fixed body: the cost of one thread per
  connection and of ``http.server`` before any sandbox work.

The ratio is each server's time over the asyncio floor's at the same concurrency. Each row also
gives the server process's CPU time per merge, which other work on the shared cores moves much
less than the rates. ``--burst N`` then times N clients connecting at once with one merge each
(the accept backlog at work), and ``--client httpx`` swaps in ``httpx.AsyncClient`` to show what
such a client can drive at all. Loopback only; every run is bounded by ``--timeout`` seconds and
every server it starts is stopped on the way out. Exit status 1 if any merge was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

KEY = "bench-key"
HOST = "127.0.0.1"

# The floors, run as `python -c` so they share nothing with this process or the sandbox.
_ASYNCIO_FLOOR = r"""
import asyncio, sys
BODY = b'{"status":"SUCCESS"}'
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)
async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            writer.write(ANSWER)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()
async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=512)
    print("listening on http://127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()
asyncio.run(main())
"""

_THREADING_FLOOR = r"""
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
BODY = b'{"status":"SUCCESS"}'
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # one write per answer, as the sandbox does; else Nagle delays every answer
    def setup(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
        self.wfile.flush()
    def log_message(self, *args):
        pass
class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
server = Server(("127.0.0.1", 0), Handler)
print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
"""


@dataclass(frozen=True)
class Server:
    port: int
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process used so far (Linux; NaN elsewhere).

        Unlike merges/s, this hardly moves when other work shares the cores.
        """
        try:
            with open(f"/proc/{self.pid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def _process(argv: list[str]) -> Iterator[Server]:
    """Start a server process that prints ``... listening on http://host:port ...``."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "listening on " not in line:
            raise RuntimeError(f"the server did not start: {line!r}")
        url = line.split("listening on ", 1)[1].split()[0]
        yield Server(int(url.rsplit(":", 1)[1]), proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def _sandbox_argv(storage: str, db: Path) -> list[str]:
    argv = [sys.executable, "-m", "profile_editor.sandbox", "--port", "0", "--key", KEY]
    return [*argv, "--memory"] if storage == "memory" else [*argv, "--db", str(db)]


@dataclass
class Run:
    merges: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.merges / self.seconds


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, (await reader.readexactly(length) if length else b"")


def _request(method: str, path: str, body: bytes = b"") -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


Merge = tuple[str, bytes]  # path, body


def _merges(count: int, recipients: int) -> list[Merge]:
    # Merge i adds key k<i> to recipient i % recipients, so every merge leaves its own trace.
    return [
        (
            f"/profiles/load-{i % recipients}",
            json.dumps({"profile": {f"k{i}": i, "custom": {"last": i}}}).encode(),
        )
        for i in range(count)
    ]


async def _drive(port: int, merges: list[Merge], concurrency: int) -> Run:
    """Send every merge over ``concurrency`` keep-alive connections; each must answer 200."""
    requests = [_request("POST", path, body) for path, body in merges]
    connections = [await asyncio.open_connection(HOST, port) for _ in range(concurrency)]
    pending = iter(requests)
    failures: list[str] = []

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for request in pending:  # the iterator is shared: a free connection takes the next one
            writer.write(request)
            status, body = await _read_answer(reader)
            if status != 200:
                failures.append(f"{status} {body[:200]!r}")

    started = time.perf_counter()
    await asyncio.gather(*(worker(r, w) for r, w in connections))
    seconds = time.perf_counter() - started
    for _, writer in connections:
        writer.close()
    if failures:
        raise RuntimeError(f"{len(failures)} merges failed, e.g. {failures[0]}")
    return Run(len(requests), seconds)


async def _burst(port: int, merges: list[Merge]) -> float:
    """Seconds for ``len(merges)`` clients that connect at once and send one merge each."""
    started = time.perf_counter()
    connections = await asyncio.gather(
        *(asyncio.open_connection(HOST, port) for _ in range(len(merges)))
    )
    for (_, writer), (path, body) in zip(connections, merges, strict=True):
        writer.write(_request("POST", path, body))
    answers = await asyncio.gather(*(_read_answer(reader) for reader, _ in connections))
    seconds = time.perf_counter() - started
    for _, writer in connections:
        writer.close()
    if any(status != 200 for status, _ in answers):
        raise RuntimeError("a merge of the burst failed")
    return seconds


async def _drive_httpx(port: int, merges: list[Merge], concurrency: int) -> Run:
    """The same merges through ``httpx.AsyncClient``, the kind of client an app would use."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    pending = iter(merges)
    failures: list[str] = []
    async with httpx.AsyncClient(
        base_url=f"http://{HOST}:{port}", limits=limits, headers=headers
    ) as client:

        async def worker() -> None:
            for path, body in pending:
                response = await client.post(path, content=body)
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} merges failed, e.g. {failures[0]}")
    return Run(len(merges), seconds)


async def _lost_updates(port: int, merges: int, recipients: int) -> int:
    """How many merges are missing from the stored profiles."""
    reader, writer = await asyncio.open_connection(HOST, port)
    found = 0
    try:
        for r in range(recipients):
            writer.write(_request("GET", f"/profiles/load-{r}"))
            status, body = await _read_answer(reader)
            if status != 200:
                continue
            profile = json.loads(body)["profile"]
            found += sum(1 for i in range(r, merges, recipients) if f"k{i}" in profile)
    finally:
        writer.close()
    return merges - found


async def _reset(port: int) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(_request("POST", "/_sandbox/reset"))
    status, _ = await _read_answer(reader)
    writer.close()
    assert status == 200


def _run(port: int, merges: list[Merge], concurrency: int, timeout: float, client: str) -> Run:
    drive = _drive_httpx if client == "httpx" else _drive
    return asyncio.run(asyncio.wait_for(drive(port, merges, concurrency), timeout))


def _uptime_load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--merges", type=int, default=5000)
    parser.add_argument("--recipients", type=int, default=200)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32, 200])
    parser.add_argument("--storage", nargs="+", choices=["memory", "file"], default=["memory"])
    parser.add_argument("--rounds", type=int, default=1, help="runs per setting; the best counts")
    parser.add_argument("--timeout", type=float, default=120, help="seconds allowed per run")
    parser.add_argument(
        "--burst",
        type=int,
        default=500,
        help="also time this many clients connecting at once, one merge each (0: skip)",
    )
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="raw: the minimal asyncio client; httpx: httpx.AsyncClient (much slower itself)",
    )
    args = parser.parse_args()
    if not 0 < args.merges <= 200_000 or not all(0 < c <= 1000 for c in args.concurrency):
        parser.error("--merges must be 1..200000 and --concurrency 1..1000")
    if not 0 <= args.burst <= 1000:
        parser.error("--burst must be 0..1000")

    merges = _merges(args.merges, args.recipients)
    print(
        f"{args.merges} merges over {args.recipients} recipients, {args.client} client; "
        f"load average {_uptime_load()}"
    )
    print(f"{'server':<28}{'conns':>6}{'merges/s':>10}{'ratio':>8}{'server CPU/merge':>18}  lost")
    servers = [
        ("floor: asyncio, no work", [sys.executable, "-c", _ASYNCIO_FLOOR]),
        ("floor: ThreadingHTTPServer", [sys.executable, "-c", _THREADING_FLOOR]),
    ]
    floors: dict[int, float] = {}
    bursts: list[tuple[str, float]] = []
    lost_total = 0
    with tempfile.TemporaryDirectory() as tmp:
        servers += [
            (f"sandbox ({storage})", _sandbox_argv(storage, Path(tmp) / f"{storage}.sqlite3"))
            for storage in args.storage
        ]
        for name, argv in servers:
            is_sandbox = name.startswith("sandbox")
            with _process(argv) as server:
                port = server.port
                for concurrency in args.concurrency:
                    rates, cpu, lost = [], [], 0
                    for _ in range(args.rounds):
                        if is_sandbox:
                            asyncio.run(_reset(port))
                        before = server.cpu_seconds()
                        run = _run(port, merges, concurrency, args.timeout, args.client)
                        rates.append(run.rate)
                        cpu.append((server.cpu_seconds() - before) / args.merges * 1e6)
                        if is_sandbox:
                            lost += asyncio.run(_lost_updates(port, args.merges, args.recipients))
                    lost_total += lost
                    best = max(rates)
                    ratio = floors.setdefault(concurrency, best) / best
                    shown = str(lost) if is_sandbox else "-"
                    print(
                        f"{name:<28}{concurrency:>6}{best:>10.0f}{ratio:>8.2f}"
                        f"{min(cpu):>15.0f} µs  {shown}"
                    )
                if args.burst:
                    burst = merges[: args.burst]
                    seconds = min(
                        asyncio.run(asyncio.wait_for(_burst(port, burst), args.timeout))
                        for _ in range(args.rounds)
                    )
                    bursts.append((name, seconds))
    if bursts:
        print(f"\n{args.burst} clients connecting at once, one merge each (seconds, best):")
        for name, seconds in bursts:
            print(f"{name:<28}{seconds:>16.3f}")
    print(f"load average after: {_uptime_load()}")
    return 1 if lost_total else 0


if __name__ == "__main__":
    sys.exit(main())
