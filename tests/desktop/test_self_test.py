"""``profile-editor --self-test`` and ``--exit-after-first-paint`` as a user (or a benchmark)
runs them: a fresh process, no display, a clean home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TIMEOUT_S = 60


def user_env(home: Path, **extra: str) -> dict[str, str]:
    """This environment without a display or a chosen Qt platform, in an empty home."""
    drop = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_DATA_HOME", "XDG_CONFIG_HOME")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return {
        **env,
        "HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        **extra,
    }


def run_app(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "profile_editor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=TIMEOUT_S,
        check=False,
    )


def test_self_test_passes_headless_and_leaves_the_home_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = run_app("--self-test", env=user_env(home))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1].startswith("Self-test passed in ")
    steps = [line.split(":")[0].split(maxsplit=1)[1] for line in lines[1:-1]]
    assert steps == [
        "Qt platform",
        "icons",
        "TLS",
        "keychain",
        "programs it opens",
        "sandbox",
        "window",
        "load",
        "edit",
        "send and verify",
        "stored profile",
    ]
    assert "offscreen" in lines[1]  # chosen by the self-test itself: no display here
    assert all(line.startswith("ok ") for line in lines[1:-1])
    assert "verified: the stored profile matches the preview" in done.stdout
    assert list(home.rglob("*")) == []


def test_self_test_writes_into_a_given_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run_app("--self-test", "--data-dir", str(data), env=user_env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"data in {data}" in done.stdout
    assert any((data / "history").iterdir())  # the send was recorded where it was told


def test_a_failing_step_is_named_and_the_rest_skipped(tmp_path: Path) -> None:
    empty = tmp_path / "no-authorities.pem"
    empty.write_text("")
    done = run_app("--self-test", env=user_env(tmp_path, SSL_CERT_FILE=str(empty)))
    assert done.returncode == 1
    assert "FAILED  TLS: the certificate authorities cannot be read" in done.stdout
    assert f"SSL_CERT_FILE={empty}" in done.stdout
    assert done.stdout.rstrip().endswith("Self-test failed.")
    assert "sandbox" not in done.stdout


def test_exit_after_first_paint(tmp_path: Path) -> None:
    done = run_app(
        "--data-dir",
        str(tmp_path / "data"),
        "--exit-after-first-paint",
        env=user_env(tmp_path, QT_QPA_PLATFORM="offscreen"),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "first paint\n"
