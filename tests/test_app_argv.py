"""The start reads its command line without argparse in the plain cases; argparse stays the
definition. Whatever argv, the quick reading either gives argparse's answer or leaves it to
argparse."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from profile_editor.app import StartOptions, _parse_args, read_argv_quickly

FLAGS = (
    "--sandbox",
    "--new-window",
    "--verbose",
    "--install-desktop-entry",
    "--self-test",
    "--exit-after-first-paint",
)
VALUES = ("--base-url", "--data-dir", "--history-keep")
# What else a user may type: help, abbreviations, unknown options, the end of options.
OTHERS = ("-h", "--help", "--sand", "--data", "--base", "--nope", "--", "-", "-x", "-5")

_value = st.one_of(
    st.sampled_from(("", "x", "/tmp/data", "-1", "-x", "--sandbox", "a=b", "-x y", "365d,1000")),
    st.text(max_size=8),
)
_token = st.one_of(
    st.sampled_from(FLAGS + VALUES + OTHERS),
    st.builds(lambda name, value: f"{name}={value}", st.sampled_from(FLAGS + VALUES), _value),
    _value,
)


def argparse_reads(argv: list[str]) -> StartOptions | None:
    """argparse's answer; None where it prints help or an error and exits."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            return _parse_args(argv)
    except SystemExit:
        return None


@settings(max_examples=400, deadline=None)
@given(st.lists(_token, max_size=6))
def test_the_quick_reading_agrees_with_argparse(argv: list[str]) -> None:
    quick = read_argv_quickly(argv)
    if quick is not None:
        assert quick == argparse_reads(argv)


_plain_value = st.text(min_size=1, max_size=8).filter(lambda v: not v.startswith("-"))
_plain = st.one_of(
    st.tuples(st.sampled_from(FLAGS)),
    st.tuples(st.sampled_from(VALUES), _plain_value),
    st.builds(lambda name, value: (f"{name}={value}",), st.sampled_from(VALUES), _value),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_plain, max_size=5))
def test_the_options_a_start_uses_are_read_without_argparse(parts: list[tuple[str, ...]]) -> None:
    argv = [arg for part in parts for arg in part]
    quick = read_argv_quickly(argv)
    assert quick is not None
    assert quick == argparse_reads(argv)


def test_what_the_window_reads() -> None:
    assert read_argv_quickly(["--data-dir", "/d", "--sandbox", "--base-url=https://x"]) == (
        StartOptions(data_dir=Path("/d"), sandbox=True, base_url="https://x")
    )
    assert read_argv_quickly([]) == StartOptions() == _parse_args([])
    for argv in (["--help"], ["--version"], ["--data-dir"], ["--sand"], ["--sandbox=1"]):
        assert read_argv_quickly(argv) is None, argv
