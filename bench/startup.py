"""Start-up to a painted window, against a bare PySide6 QMainWindow in the same run.

    python bench/startup.py [--runs 15]

Each run is a fresh interpreter; the clock runs from process start until the first paint event of
the main window. Runs alternate between the two so machine noise hits both alike.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

from _common import median, report

CHILD = r"""
import os, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow):
            sys.stdout.write("painted\n"); sys.stdout.flush(); os._exit(0)
        return False

app = QApplication(sys.argv[:1])
spy = FirstPaint(); app.installEventFilter(spy)
if sys.argv[1] == "bare":
    w = QMainWindow(); w.resize(1100, 720); w.show(); app.exec()
else:
    from profile_editor.app import main
    main(["--data-dir", sys.argv[2]])
"""


def once(mode: str, data_dir: str) -> float:
    start = time.perf_counter()
    # Byte-code caching on, as on a user's machine (some shells turn it off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, data_dir], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(30)
    if line.strip() != "painted":
        raise SystemExit(f"{mode}: no paint")
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp()
    once("bare", data_dir), once("app", data_dir)  # warm the file cache
    bare, app = [], []
    for _ in range(args.runs):
        bare.append(once("bare", data_dir))
        app.append(once("app", data_dir))
    ratio = median(app) / median(bare)
    report(
        f"Start-up to first paint, median of {args.runs} runs",
        [("bare QMainWindow", median(bare), "ms"), ("Profile Editor", median(app), "ms")],
        ratio,
        1.3,
    )


if __name__ == "__main__":
    main()
