"""The window side of the profile checks and key completion on a 6 MB profile.

    QT_QPA_PLATFORM=offscreen python bench/problems_window.py [--mb 6] [--runs 9] [--flat]

The profile is bench/rules.py's (custom data plus every known field, some wrong). It is loaded
into the editor pane; then, each run:

* the Problems check as it runs after a pause in typing (``EditorPane.check``: the profile
  out of the table, ``check_profile``, the list shown);
* the JSON tab's completion context for a key typed at the end of the text (the document read
  back, then ``key_context``): this runs after each character typed at a key position.

The floor is ``json.loads`` of the same text in the same run, which the editor's own debounced
parse already pays after each pause. The target is absolute: well under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import time

from _common import median
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication
from rules import make_text

from profile_editor.core.profile.key_completion import key_context
from profile_editor.ui.editor.pane import EditorPane


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=6.0)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--flat", action="store_true", help="short values: many more keys")
    args = parser.parse_args()
    text, keys = make_text(int(args.mb * 1024 * 1024), flat=args.flat)
    QApplication([])
    pane = EditorPane()
    pane.profile_editor.set_profile(json.loads(text))
    loads, checks, contexts = [], [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        json.loads(text)
        loads.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        pane.check()
        checks.append((time.perf_counter() - start) * 1000)
    listed = pane.problem_count()
    # A new key being typed at the end, as the completion sees it.
    edit = pane.profile_editor.json_edit
    edit.setPlainText(text[:-2] + ',\n  "phon\n}')
    pane.profile_editor.flush()
    cursor = edit.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    cursor.movePosition(QTextCursor.MoveOperation.Up)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
    edit.setTextCursor(cursor)
    for _ in range(args.runs):
        start = time.perf_counter()
        context = key_context(edit.text(), edit.textCursor().position())
        contexts.append((time.perf_counter() - start) * 1000)
        assert context is not None and context.prefix == "phon", context
    t_loads, t_check, t_context = median(loads), median(checks), median(contexts)
    print(f"profile: {len(text.encode()) / 1e6:.1f} MB, {keys:,} top-level keys")
    print(f"problems listed: {listed}")
    print("Median of", args.runs, "runs")
    print(f"  {'json.loads of the text (floor)':<44} {t_loads:8.1f} ms")
    for name, value, runs in (
        ("Problems check (EditorPane.check)", t_check, checks),
        ("completion context at a typed key", t_context, contexts),
    ):
        verdict = "met" if value < 100 else "OVER TARGET"
        print(
            f"  {name:<44} {value:8.1f} ms   ratio {value / t_loads:.3f}x   "
            f"worst {max(runs):.1f} ms   well under 100 ms: {verdict}"
        )


if __name__ == "__main__":
    main()
