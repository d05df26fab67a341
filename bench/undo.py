"""A 6 MB paste into the profile editor, undone and redone: time of each step and the peak
memory of all three, against a bare ``QPlainTextEdit.setPlainText`` + ``json.loads`` of the
same text (the floor).

    python bench/undo.py [--mb 6] [--runs 3]

Every measurement runs in a fresh interpreter so peak memory (ru_maxrss) is its own. The
paste is one undo step whose document is loaded, not inserted, so neither the paste nor its
undo and redo should hold a second copy of the text.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from _common import median, report

CHILD = r"""
import json, os, random, resource, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPlainTextEdit

mode, megabytes = sys.argv[1], float(sys.argv[2])


def make_text(limit):
    random.seed(7)
    parts, size, i = [], 2, 0
    while size < limit:
        value = {"email": f"user{i}@example.com", "name": "n" * 120, "tags": [random.random() for _ in range(12)], "active": i % 2 == 0}
        piece = json.dumps(f"key_{i:06d}") + ": " + json.dumps(value, indent=2)
        parts.append(piece); size += len(piece) + 4; i += 1
    return "{\n  " + ",\n  ".join(parts) + "\n}", i


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


app = QApplication([])
text, keys = make_text(int(megabytes * 1024 * 1024))
result = {"bytes": len(text.encode()), "keys": keys}
if mode == "bare":
    edit = QPlainTextEdit(); edit.resize(800, 600); edit.show(); app.processEvents()
    base = rss_kb()
    start = time.perf_counter()
    edit.setPlainText(text)
    json.loads(edit.toPlainText())
    app.processEvents()
    result["paste_ms"] = (time.perf_counter() - start) * 1000
else:
    from profile_editor.ui.editor.widget import JSON_TAB, ProfileEditorWidget
    editor = ProfileEditorWidget(); editor.resize(800, 600); editor.show()
    editor.set_profile({"email": "ada@example.com"})
    editor.tabs.setCurrentIndex(JSON_TAB)
    QGuiApplication.clipboard().setText(text)
    app.processEvents()
    base = rss_kb()
    model = editor.fields_model
    start = time.perf_counter()
    editor.json_edit.selectAll()
    editor.json_edit.paste()
    editor.flush(); app.processEvents()
    assert model.rowCount() == keys, model.rowCount()
    result["paste_ms"] = (time.perf_counter() - start) * 1000
    result["steps"] = editor.undo_stack.count()
    start = time.perf_counter()
    editor.undo_action.trigger(); app.processEvents()
    assert model.rowCount() == 1
    result["undo_ms"] = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    editor.redo_action.trigger(); app.processEvents()
    assert model.rowCount() == keys
    result["redo_ms"] = (time.perf_counter() - start) * 1000
result["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
print(json.dumps(result))
"""


def run(mode: str, megabytes: float) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(megabytes)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=6.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bare, app = [], []
    for _ in range(args.runs):
        bare.append(run("bare", args.mb))
        app.append(run("app", args.mb))
    print(
        f"profile: {bare[0]['bytes'] / 1e6:.1f} MB, {bare[0]['keys']:,} keys; "
        f"undo steps after the paste: {app[0]['steps']}"
    )
    t_bare = median([r["paste_ms"] for r in bare])
    report(
        "Paste, undo and redo, median",
        [
            ("setPlainText + json.loads", t_bare, "ms"),
            ("paste into the JSON tab", median([r["paste_ms"] for r in app]), "ms"),
            ("undo the paste", median([r["undo_ms"] for r in app]), "ms"),
            ("redo the paste", median([r["redo_ms"] for r in app]), "ms"),
        ],
        max(median([r[k] for r in app]) for k in ("paste_ms", "undo_ms", "redo_ms")) / t_bare,
        1.5,
    )
    m_bare, m_app = median([r["peak_kb"] for r in bare]), median([r["peak_kb"] for r in app])
    report(
        "Peak memory above start (paste, undo and redo), median",
        [("setPlainText + json.loads", m_bare / 1024, "MB"), ("editor", m_app / 1024, "MB")],
        m_app / m_bare,
        1.5,
    )


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()
