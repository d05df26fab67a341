"""The sandbox as a server: concurrency, keep-alive, persistence, shutdown and the CLI."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

import profile_editor
from profile_editor.sandbox.__main__ import main
from profile_editor.sandbox.handler import is_loopback
from profile_editor.sandbox.server import DEFAULT_KEY, SandboxServer, start_sandbox
from profile_editor.sandbox.store import ProfileStore

MakeClient = Callable[..., httpx.Client]


def test_default_key_does_not_look_like_a_courier_key() -> None:
    assert not re.match(r"^[pd]k_(prod|test)_", DEFAULT_KEY)


def test_url_has_no_trailing_slash(sandbox: SandboxServer) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sandbox.url)
    assert sandbox.port > 0


def test_concurrent_merges_lose_no_update(sandbox: SandboxServer, make_client: MakeClient) -> None:
    threads, per_thread = 8, 50
    clients = [make_client({"Authorization": f"Bearer {sandbox.key}"}) for _ in range(threads)]

    def merge_keys(worker: int) -> list[int]:
        return [
            clients[worker]
            .post("/profiles/shared", json={"profile": {f"k{worker}_{i}": i}})
            .status_code
            for i in range(per_thread)
        ]

    with ThreadPoolExecutor(threads) as pool:
        statuses = [status for result in pool.map(merge_keys, range(threads)) for status in result]
    assert statuses == [200] * (threads * per_thread)
    profile = sandbox.get_profile("shared")
    assert profile is not None
    assert len(profile) == threads * per_thread
    assert profile == {f"k{w}_{i}": i for w in range(threads) for i in range(per_thread)}


def test_sequential_requests_reuse_one_connection(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    for i in range(50):
        assert client.post("/profiles/u", json={"profile": {"n": i}}).status_code == 200
        assert client.get("/profiles/u").json()["profile"] == {"n": i}
    assert sandbox.connections_accepted == 1


def test_pipelined_requests_are_answered_in_order_on_one_connection(sandbox: SandboxServer) -> None:
    # Two requests pipelined on one raw socket: each answer must be delimited by its length.
    with socket.create_connection((sandbox.host, sandbox.port), timeout=5) as raw:
        request = (
            b"GET /profiles/none HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sandbox-key\r\n\r\n"
        )
        raw.sendall(request * 2)
        reader = raw.makefile("rb")
        for _ in range(2):
            assert reader.readline().startswith(b"HTTP/1.1 404 ")
            headers = {}
            while (line := reader.readline()) != b"\r\n":
                name, _, value = line.decode().partition(":")
                headers[name.lower()] = value.strip()
            body = reader.read(int(headers["content-length"]))
            assert json.loads(body)["type"] == "invalid_request_error"
    assert sandbox.connections_accepted == 1


def test_profiles_persist_across_restarts(tmp_path: Path, make_client: MakeClient) -> None:
    db = tmp_path / "nested" / "sandbox.sqlite3"
    profile = {"z": 1, "email": "e", "custom": {"b": 1, "a": 2}}
    with start_sandbox(db_path=db) as first:
        client = make_client({"Authorization": f"Bearer {first.key}"}, base_url=first.url)
        assert client.put("/profiles/zo%C3%AB", json={"profile": profile}).status_code == 200
        client.close()
    with start_sandbox(db_path=db) as second:
        client = make_client({"Authorization": f"Bearer {second.key}"}, base_url=second.url)
        stored = client.get("/profiles/zo%C3%AB").json()["profile"]
        assert json.dumps(stored) == json.dumps(profile)  # key order kept too
        assert second.get_profile("zoë") == profile


def test_ipv6_loopback(make_client: MakeClient) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        server = start_sandbox(host="::1")
    except OSError:
        pytest.skip("IPv6 loopback unavailable")
    with server:
        assert re.fullmatch(r"http://\[::1\]:\d+", server.url)
        client = make_client({"Authorization": f"Bearer {server.key}"}, base_url=server.url)
        assert client.put("/profiles/u", json={"profile": {}}).status_code == 200
        assert make_client(base_url=server.url).get("/_sandbox/requests").status_code == 200


def test_in_memory_sandboxes_are_independent() -> None:
    with start_sandbox() as one, start_sandbox() as two:
        one.put_profile("u", {"a": 1})
        assert two.get_profile("u") is None
        assert one.url != two.url


def test_stop_closes_idle_keep_alive_connections_and_joins_threads(
    sandbox: SandboxServer, client: httpx.Client
) -> None:
    assert client.get("/profiles/none").status_code == 404  # leaves an idle connection open
    sandbox.stop()
    assert not [t for t in threading.enumerate() if t.name.startswith("sandbox-")]
    with pytest.raises(httpx.TransportError):
        client.get("/profiles/none")
    sandbox.stop()  # idempotent


def test_stop_closes_the_store(sandbox: SandboxServer) -> None:
    sandbox.stop()
    with pytest.raises(Exception, match="closed"):
        sandbox.get_profile("u")


def test_port_in_use_raises_and_releases_the_store(sandbox: SandboxServer) -> None:
    with pytest.raises(OSError):
        start_sandbox(port=sandbox.port)


def test_put_profile_validates(sandbox: SandboxServer) -> None:
    with pytest.raises(TypeError):
        sandbox.put_profile("u", [1])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        sandbox.put_profile("u", {"x": float("nan")})
    assert sandbox.get_profile("u") is None


def test_store_patch_and_merge_directly(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "s.sqlite3")
    try:
        assert store.merge("u", {"a": {"b": 1}}) == {"a": {"b": 1}}
        assert store.patch("u", [{"op": "add", "path": "/a/c", "value": 2}]) == {
            "a": {"b": 1, "c": 2}
        }
        assert store.count() == 1
        assert store.delete("u") is True
        assert store.delete("u") is False
    finally:
        store.close()
        store.close()


# --- CLI --------------------------------------------------------------------------------------


def test_cli_refuses_a_remote_host_without_allow_remote(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--host", "0.0.0.0", "--memory"])
    assert exit_info.value.code == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_cli_reports_a_port_in_use_and_restores_the_sigterm_handler(
    sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert main(["--port", str(sandbox.port), "--memory"]) == 1
    assert "Cannot start the sandbox" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGTERM) == before


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("localhost", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("::", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a hard kill on Windows")
def test_cli_serves_until_sigterm_and_exits_cleanly(make_client: MakeClient) -> None:
    root = str(Path(profile_editor.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "profile_editor.sandbox",
            "--port",
            "0",
            "--memory",
            "--key",
            "cli-key",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stdout = process.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        ready = lines.get(timeout=20)
        match = re.fullmatch(
            r"Sandbox listening on (http://127\.0\.0\.1:\d+) \(key: cli-key\)\n", ready
        )
        assert match, ready
        client = make_client({"Authorization": "Bearer cli-key"}, base_url=match.group(1))
        assert client.put("/profiles/u", json={"profile": {"a": 1}}).status_code == 200
        assert client.get("/profiles/u").json()["profile"] == {"a": 1}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
