"""Start-up to a painted window, against two floors measured in the same run.

    python bench/startup.py [--runs 15]

Floors: a bare PySide6 ``QMainWindow``, and a plain ``QMainWindow`` holding the same kinds of
widgets as the app's first frame (a band styled by a style sheet with a combo, a label and a tool
button with an icon; a menu bar whose actions have shortcuts; combos, line edits, buttons with SVG
icons, one of them styled; two tab widgets with a table with a header, text edits and a tree;
splitters; two docks with a list and a table) — what any window like ours pays to Qt. The first
version of that floor (no band, menu bar, icons or style sheet) is still measured and its ratio
printed, so both can be compared.
Each run is a fresh interpreter; the clock runs from process start until the first paint event of
the main window. Runs alternate between the three so machine noise hits all alike.

Two last lines split what the app pays over the plain window. One builds both windows again in one
process with every import done: what our widgets cost on their own. The other replays the imports
the app's first frame is made of (the modules loaded at its first paint, in their order) in a
process that has already built and painted the plain window, so Qt's own first-use costs are paid:
what importing that code costs on its own, with PySide's per-module import hook (it reads each
module's source to look for "PySide6") shown apart. The plain window plus both is a floor for this
first frame: no start-up work, no data, no settings.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _common import median, report

# The floor window: the same kinds of widgets as the app's first frame, plain Qt. Every child
# script defines it. ``kinds=False`` is the floor as it was first written (no menu bar, no icons,
# no style sheet), still printed beside the new one so the two ratios can be compared.
PLAIN_WINDOW = r"""
import os

LINE_ICON = ('<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24" '
             'fill="none" stroke="#37474f" stroke-width="2" stroke-linecap="round">'
             '<path d="M5 12h14M12 5l7 7-7 7"/></svg>')

def plain_icon(name):
    from PySide6.QtGui import QIcon
    folder = os.environ["PLAIN_ICONS"]
    path = os.path.join(folder, name + ".svg")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(LINE_ICON)
    return QIcon(path)

def plain_window(kinds=True):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (QComboBox, QDockWidget, QFrame, QHBoxLayout, QLabel, QLineEdit,
        QListWidget, QMainWindow, QPlainTextEdit, QPushButton, QSplitter, QTableWidget,
        QTabWidget, QToolButton, QTreeWidget, QVBoxLayout, QWidget)
    w = QMainWindow(); central = QWidget(); outer = QVBoxLayout(central)
    if kinds:
        from PySide6.QtGui import QAction, QKeySequence
        # A band styled by a style sheet: a combo, a label and a tool button with an icon.
        band = QFrame(); band.setObjectName("band"); row = QHBoxLayout(band)
        row.addWidget(QComboBox()); row.addWidget(QLabel("https://api.example.com"), 1)
        tool = QToolButton(); tool.setText("Settings"); tool.setIcon(plain_icon("settings"))
        tool.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon); row.addWidget(tool)
        band.setStyleSheet("#band { background: #00897b; } #band QLabel { color: white; }")
        outer.addWidget(band)
        # A menu bar whose actions have keyboard shortcuts.
        keys = [QKeySequence.StandardKey.New, QKeySequence.StandardKey.Save, "Ctrl+Shift+S",
                "Ctrl+B", QKeySequence.StandardKey.Close, QKeySequence.StandardKey.Undo,
                QKeySequence.StandardKey.Redo, QKeySequence.StandardKey.Find, "Ctrl+G",
                "Ctrl+H", "Ctrl+Shift+H", "Ctrl+L", "Ctrl+Return", "Ctrl+.", "Ctrl+Shift+C"]
        for title, count in (("&File", 5), ("&Edit", 4), ("&View", 2), ("&Request", 4)):
            menu = w.menuBar().addMenu(title)
            for _ in range(count):
                action = QAction(f"Action {len(keys)}", w); action.setShortcut(QKeySequence(keys.pop(0)))
                w.addAction(action); menu.addAction(action)
    bar = QHBoxLayout(); bar.addWidget(QComboBox()); bar.addWidget(QLineEdit(), 1)
    for text in ("Load", "Send", "Cancel"):
        button = QPushButton(plain_icon(text.lower()), text) if kinds else QPushButton(text)
        if kinds and text == "Send":
            button.setStyleSheet("QPushButton { background: #1565c0; color: white; padding: 5px 16px; }")
        bar.addWidget(button)
    outer.addLayout(bar)
    keys = QHBoxLayout(); keys.addWidget(QLabel("API key")); keys.addWidget(QLineEdit(), 1)
    keys.addWidget(QLineEdit(), 1); outer.addLayout(keys)
    split = QSplitter(Qt.Orientation.Horizontal)
    table = QTableWidget(0, 3)
    if kinds:
        table.setHorizontalHeaderLabels(["Key", "Value", "Type"])
    left = QTabWidget(); left.addTab(table, "Fields"); left.addTab(QPlainTextEdit(), "JSON")
    right = QTabWidget(); right.addTab(QTreeWidget(), "Changes"); right.addTab(QPlainTextEdit(), "Request")
    right.addTab(QPlainTextEdit(), "Response")
    split.addWidget(left); split.addWidget(right); outer.addWidget(split, 1)
    outer.addWidget(QLabel("Ready.")); w.setCentralWidget(central)
    for title, widget, area in (("Presets", QListWidget(), Qt.DockWidgetArea.LeftDockWidgetArea),
                                ("History", QTableWidget(0, 7), Qt.DockWidgetArea.BottomDockWidgetArea)):
        dock = QDockWidget(title); dock.setWidget(widget); w.addDockWidget(area, dock)
    w.resize(1280, 860)
    return w
"""

CHILD = (
    PLAIN_WINDOW
    + r"""
import os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            if sys.argv[1] == "modules":  # what the first frame is made of, in import order
                import json
                sys.stdout.write(json.dumps(list(sys.modules)) + "\n")
            sys.stdout.write("painted\n"); sys.stdout.flush(); os._exit(0)
        return False

app = QApplication(sys.argv[:1])
spy = FirstPaint(); app.installEventFilter(spy)
if sys.argv[1] == "bare":
    w = QMainWindow(); w.resize(1100, 720); w.show(); app.exec()
elif sys.argv[1] in ("plain", "plain-before"):
    w = plain_window(kinds=sys.argv[1] == "plain"); w.show(); app.exec()
else:
    from profile_editor.app import main
    main(["--data-dir", sys.argv[2]])
"""
)

# The plain window built and painted (Qt's first-use costs paid), then the app's first-frame
# modules imported in the order they were: the import cost of that code alone.
REPLAY = (
    PLAIN_WINDOW
    + r"""
import importlib, json, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            painted.append(obj)
        return False

painted = []
app = QApplication(sys.argv[:1])
spy = FirstPaint(); app.installEventFilter(spy)
w = plain_window(); w.show()
while not painted:
    app.processEvents()
names = [n for n in json.loads(sys.stdin.read()) if n not in sys.modules]
if sys.argv[1] == "nohook":  # PySide's hook skipped: it reads each new module's source
    sys.modules["shibokensupport.feature"]._mod_uses_pyside = lambda module: False
start = time.perf_counter()
count = 0
for name in names:
    if name not in sys.modules:
        try:
            importlib.import_module(name)
            count += 1
        except ImportError:
            pass
print((time.perf_counter() - start) * 1000, count)
"""
)

# With every import done and each window built once before, the same two windows are built,
# shown and painted in one process: what the widgets alone cost, without any import.
WARM = (
    PLAIN_WINDOW
    + r"""
import statistics, sys, tempfile, time
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

from profile_editor.app import create_main_window
from profile_editor.ui.common import dialogs

app = QApplication(sys.argv[:1])
dialogs.ask_save_discard_cancel = lambda *args, **kwargs: dialogs.Choice.DISCARD
painted = []

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            painted.append(obj)
        return False

def ours():
    return create_main_window(base_url="https://api.courier.com", auth_token=None,
                              data_dir=Path(tempfile.mkdtemp()))

def once(make):
    painted.clear()
    start = time.perf_counter()
    window = make()
    window.show()
    while not painted:
        app.processEvents()
    elapsed = (time.perf_counter() - start) * 1000
    window.close(); window.deleteLater(); app.processEvents()
    return elapsed

spy = FirstPaint(); app.installEventFilter(spy)
once(plain_window); once(ours)
runs = int(sys.argv[1])
plains, apps = [], []
for _ in range(runs):
    plains.append(once(plain_window)); apps.append(once(ours))
print(statistics.median(plains), statistics.median(apps))
"""
)


# Byte-code caching on, as on a user's machine (some shells turn it off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
# The floor's line icons: SVG files, as the app's are (written on first use).
ENV["PLAIN_ICONS"] = tempfile.mkdtemp(prefix="plain-icons-")


def once(mode: str, data_dir: str) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, data_dir], stdout=subprocess.PIPE, text=True, env=ENV
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(30)
    if line.strip() != "painted":
        raise SystemExit(f"{mode}: no paint")
    return elapsed * 1000


def first_frame_imports(runs: int) -> tuple[float, float, int]:
    """Median ms to import the first frame's modules after the plain window, with PySide's
    import hook and without it, and how many modules that is."""
    listed = subprocess.run(
        [sys.executable, "-c", CHILD, "modules", tempfile.mkdtemp()],
        capture_output=True,
        text=True,
        env=ENV,
        check=True,
    )
    names = listed.stdout.splitlines()[0]
    times: dict[str, list[float]] = {"hook": [], "nohook": []}
    count = 0
    for _ in range(runs):
        for mode, found in times.items():
            done = subprocess.run(
                [sys.executable, "-c", REPLAY, mode],
                input=names,
                capture_output=True,
                text=True,
                env=ENV,
                check=True,
            )
            elapsed, modules = done.stdout.split()
            found.append(float(elapsed))
            count = int(modules)
    return median(times["hook"]), median(times["nohook"]), count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp()
    for mode in ("bare", "plain-before", "plain", "app"):  # warm file caches
        once(mode, data_dir)
    bare, before, plain, app = [], [], [], []
    for _ in range(args.runs):
        bare.append(once("bare", data_dir))
        before.append(once("plain-before", data_dir))
        plain.append(once("plain", data_dir))
        app.append(once("app", data_dir))
    print(
        f"plain window with the same kinds of widgets / bare: {median(plain) / median(bare):.2f}x"
    )
    print(
        f"against the first floor (no menu bar, icons or style sheet, {median(before):.1f} ms): "
        f"{median(app) / median(before):.2f}x"
    )
    warm = subprocess.run(
        [sys.executable, "-c", WARM, str(args.runs)],
        capture_output=True,
        text=True,
        env=ENV,
        check=True,
    )
    warm_plain, warm_app = (float(x) for x in warm.stdout.split())
    print(
        "with every import done, build + show + paint: "
        f"plain window {warm_plain:.1f} ms, Profile Editor {warm_app:.1f} ms "
        f"({warm_app - warm_plain:+.0f} ms; the 1.3x budget is "
        f"{0.3 * median(plain):.0f} ms over the plain window)"
    )
    imports, without_hook, modules = first_frame_imports(max(3, args.runs // 3))
    print(
        f"the first frame's {modules} modules imported after the plain window: {imports:.1f} ms "
        f"({imports - without_hook:.1f} ms of it PySide's import hook)"
    )
    floor = median(plain) + (warm_app - warm_plain) + imports
    print(
        f"floor for this first frame (plain window + our widgets + their imports): {floor:.0f} ms, "
        f"{floor / median(plain):.2f}x the plain window"
    )
    report(
        f"Start-up to first paint, median of {args.runs} runs",
        [
            ("bare QMainWindow", median(bare), "ms"),
            ("plain window, first floor", median(before), "ms"),
            ("plain window, same kinds of widgets", median(plain), "ms"),
            ("Profile Editor", median(app), "ms"),
        ],
        median(app) / median(plain),
        1.3,
    )


if __name__ == "__main__":
    main()
