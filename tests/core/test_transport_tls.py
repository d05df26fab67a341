"""The shared client makes its TLS context only for https://, and verifies there as strictly as
httpx does by default (against a real TLS server on loopback with a certificate of its own)."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import certifi
import pytest

from profile_editor.core.http.client import ProfilesClient
from profile_editor.core.http.models import Method, ProfileRequest
from profile_editor.core.http.retry import RetryPolicy
from profile_editor.core.http.session import Session
from profile_editor.core.http.transport import make_http_client
from profile_editor.sandbox.server import SandboxServer

NO_RETRY = RetryPolicy(max_retries=0)


@pytest.fixture
def contexts_made(monkeypatch: pytest.MonkeyPatch) -> list[ssl.SSLContext]:
    """Every default TLS context made from now on (httpx makes its own with this function)."""
    made: list[ssl.SSLContext] = []
    original = ssl.create_default_context

    def spy(*args: object, **kwargs: object) -> ssl.SSLContext:
        context = original(*args, **kwargs)  # type: ignore[arg-type]
        made.append(context)
        return context

    monkeypatch.setattr(ssl, "create_default_context", spy)
    return made


def _load(base_url: str, key: str = "key") -> str:
    """ "loaded", or the summary of how the load failed."""
    http, _ = make_http_client(connect_timeout=2, total_timeout=2)
    with http:
        request = ProfileRequest(base_url=base_url, recipient_id="u1", method=Method.GET)
        outcome = ProfilesClient(http, retry=NO_RETRY).execute(request, key)
    return "loaded" if outcome.ok else outcome.summary


def test_plain_http_makes_no_tls_context(
    sandbox: SandboxServer, contexts_made: list[ssl.SSLContext]
) -> None:
    sandbox.put_profile("u1", {"a": 1})
    assert _load(sandbox.url, sandbox.key) == "loaded"
    assert contexts_made == []


def test_a_window_warms_the_tls_context_up_ahead(contexts_made: list[ssl.SSLContext]) -> None:
    # The window builds its client on a worker after the first frame: the first https:// load
    # must not wait for the CA bundle then (the command line builds its client when it sends).
    cold, warm = Session(), Session()
    try:
        cold.client()
        assert contexts_made == []
        warm.warm_up()
        [context] = contexts_made
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    finally:
        cold.close()
        warm.close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 that no CA bundle trusts."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return cert, key


class _Profile(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"profile": {"tls": True}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[str]:
    """An https:// server on loopback that answers every GET with a profile."""
    cert, key = certificate
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Profile)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda *args: None  # type: ignore[method-assign]  # refused handshakes
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_https_refuses_a_certificate_no_ca_vouches_for(
    tls_server: str, contexts_made: list[ssl.SSLContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    assert _load(tls_server) == "Secure connection failed"
    [context] = contexts_made  # made for the https connection, and only once
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    default = ssl.create_default_context(cafile=certifi.where())
    assert context.cert_store_stats() == default.cert_store_stats()  # certifi's CAs, as httpx


def test_https_trusts_what_ssl_cert_file_names_as_httpx_does(
    tls_server: str, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    assert _load(tls_server) == "loaded"


def test_https_checks_the_host_name(
    tls_server: str, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Trusted certificate, but for 127.0.0.1: reached as "localhost" it must be refused.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    assert _load(tls_server.replace("127.0.0.1", "localhost")) == "Secure connection failed"
