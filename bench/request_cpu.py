"""CPU time of one request on the sending thread: the app's client against plain httpx.

    python bench/request_cpu.py [--requests 300] [--rounds 7]

The same POST (a small profile, the headers the app sends) to a sandbox in its own process, on
one keep-alive connection, in rounds that alternate between: ``httpx.Client.post`` (what the
sends benchmark's floors pay per post), the shared client's ``send_direct`` alone, and the app's
``ProfilesClient.execute`` (the request built, sent, and its answer read into an outcome). A
request's CPU time on its thread is what a window's request thread spends per send, on the GIL
that the UI thread needs too.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import httpx
from _common import median, sandbox_process

from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.models import Method, ProfileRequest
from profile_editor.core.http.transport import make_http_client

PROFILE = {"email": "ada@example.com", "name": "Ada Lovelace", "custom": {"plan": "pro"}}


def cpu_per_request(send: Callable[[int], None], n: int) -> float:
    """µs of this thread's CPU time per call of ``send``."""
    start = time.thread_time()
    for i in range(n):
        send(i)
    return (time.thread_time() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with sandbox_process() as (url, key), httpx.Client() as plain:
        shared, _backend = make_http_client()  # the app's one client, as its session makes it
        client = ProfilesClient(shared)
        requests = [
            ProfileRequest(url, f"user-{i}", Method.POST, PROFILE, idempotency_key=f"key-{i}")
            for i in range(args.requests)
        ]
        body = requests[0].body_bytes()
        headers = requests[0].headers(key)

        def raw(i: int) -> None:
            plain.post(requests[i].url, content=body, headers=headers).raise_for_status()

        def direct(i: int) -> None:
            shared.send_direct("POST", requests[i].url, content=body, headers=headers)

        def app(i: int) -> None:
            assert client.execute(requests[i], key).ok

        loops = {"httpx.Client.post": raw, "SharedClient.send_direct": direct, "app": app}
        for send in loops.values():
            send(0)  # connected and warm
        took: dict[str, list[float]] = {name: [] for name in loops}
        for _ in range(args.rounds):
            for name, send in loops.items():
                took[name].append(cpu_per_request(send, args.requests))
        shared.close()
    floor = median(took["httpx.Client.post"])
    print(f"CPU time per request on the sending thread, median of {args.rounds} rounds:")
    for name, values in took.items():
        value = median(values)
        print(f"  {name:<28} {value:7.0f} µs  ({value / floor:.2f}x httpx.Client.post)")


if __name__ == "__main__":
    main()
