"""The rotating log under the data directory, masked, and its stderr twin for --verbose."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=300)),
    max_bytes=st.integers(150, 3_000),
    written_before=st.integers(0, 3_000),
)
def test_each_log_file_stays_under_its_size_and_keeps_the_newest_lines(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[str],
    max_bytes: int,
    written_before: int,
) -> None:
    """Whatever the lines (any characters, any lengths) and whatever the file held already,
    each file holds less than the limit, or one line alone; the files hold the newest lines in
    order; nothing is lost but what rotated out."""
    data_dir = tmp_path_factory.mktemp("data")
    path = log_path_for(data_dir)
    path.parent.mkdir(parents=True)
    # Lines from an earlier session.
    path.write_text("o" * (written_before - 1) + "\n" if written_before else "", encoding="utf-8")
    handler = log_setup.SizeRotatingFileHandler(path, max_bytes=max_bytes, backup_count=3)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.Logger("profile_editor.rotation-test")
    logger.addHandler(handler)
    try:
        for n, text in enumerate(lines):
            logger.info("%d %s", n, text)
    finally:
        handler.close()
    files = [path, *(path.with_name(f"{path.name}.{k}") for k in (1, 2, 3))]
    kept: list[str] = []
    for file in reversed(files):  # oldest first
        if not file.exists():
            continue
        data = file.read_bytes()
        body = data.decode("utf-8")
        ours = [line for line in body.split("\n")[:-1] if line.strip("o")]
        on_disk = len(data) - data.count(b"\r")  # Windows writes each line end as two bytes
        assert on_disk < max_bytes or len(body.split("\n")) <= 2
        kept += ours
    expected = [f"{n} {text}" for n, text in enumerate(lines)]
    assert kept == expected[len(expected) - len(kept) :]
