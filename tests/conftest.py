"""Shared fixtures: a real sandbox server on loopback, headless Qt."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

if TYPE_CHECKING:
    from profile_editor.sandbox.server import SandboxServer


@pytest.fixture
def child_env() -> dict[str, str]:
    """The environment for a child process running the app: headless, and no keychain of the
    machine's (a test reads no real keys)."""
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }


@pytest.fixture
def recipient_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every recipient ID checked against the rules from now on, in order (the verdicts kept of
    IDs checked before are forgotten before and after, so each is checked again once)."""
    import profile_editor.core.recipient as recipient

    checked: list[str] = []
    rules = recipient._verdict

    def counting(value: str) -> recipient.IdCheck:
        checked.append(value)
        return rules(value)

    monkeypatch.setattr(recipient, "_verdict", counting)
    recipient._recent_verdict.cache_clear()
    yield checked
    recipient._recent_verdict.cache_clear()


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh in-memory sandbox on a free loopback port, stopped after the test."""
    from profile_editor.sandbox.server import start_sandbox

    server = start_sandbox(port=0)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", autouse=True)
def _collect_garbage_per_module() -> Iterator[None]:
    """A client or socket a module's tests left unclosed in a reference cycle warns here, in the
    module's last test (an error in this suite), and not in whichever later test the garbage
    collector happens to run. Once a module, not once a test: the cost stays small."""
    yield
    gc.collect()
