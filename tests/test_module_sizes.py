"""The profile editor widget stays small enough to read in one sitting: find, go to, the
result value and the pages live in modules of their own, and new editor features go there too."""

from __future__ import annotations

from pathlib import Path

WIDGET = Path(__file__).parents[1] / "profile_editor" / "ui" / "editor" / "widget.py"
LIMIT = 600


def test_the_profile_editor_widget_stays_under_600_lines() -> None:
    lines = len(WIDGET.read_text(encoding="utf-8").splitlines())
    assert lines < LIMIT, f"ui/editor/widget.py has {lines} lines; move a part to its own module"
