"""The rotating log under the data directory, masked, and its stderr twin for --verbose."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from profile_editor.diagnostics import log_setup
from profile_editor.diagnostics.log_setup import configure_logging, log_path_for


def test_app_records_go_to_the_log_with_keys_masked(tmp_path: Path) -> None:
    setup = configure_logging(tmp_path)
    try:
        assert setup.path == tmp_path / "logs" / "profile-editor.log"
        logging.getLogger("profile_editor.send").info("sent with Bearer pk_prod_abcdef0123")
        logging.getLogger("profile_editor.send").debug("not kept without --verbose")
        logging.getLogger("some.library").info("a library's chatter is not kept")
        logging.getLogger("some.library").warning("a library's warning is kept")
    finally:
        setup.close()
    text = log_path_for(tmp_path).read_text(encoding="utf-8")
    assert "sent with Bearer ****" in text and "abcdef0123" not in text
    assert "INFO    profile_editor.send" in text
    assert "not kept" not in text and "chatter" not in text
    assert "a library's warning is kept" in text
    assert setup.handlers == [] and logging.getLogger("profile_editor").level == logging.NOTSET


def test_verbose_also_prints_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    setup = configure_logging(tmp_path, verbose=True)
    try:
        logging.getLogger("profile_editor.app").debug("detail with dk_test_abcdef0123")
    finally:
        setup.close()
    err = capsys.readouterr().err
    assert "detail with dk_test_****" in err
    assert "detail with dk_test_****" in log_path_for(tmp_path).read_text(encoding="utf-8")


def test_the_log_rotates_by_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_setup, "MAX_BYTES", 2_000)
    setup = configure_logging(tmp_path)
    try:
        for n in range(100):
            logging.getLogger("profile_editor.test").info("line %d %s", n, "x" * 50)
    finally:
        setup.close()
    names = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert names == [
        "profile-editor.log",
        "profile-editor.log.1",
        "profile-editor.log.2",
        "profile-editor.log.3",
    ]
