"""What the desktop start-up steps add to a start, against the rest of that start.

    python bench/desktop_startup.py [--runs 15]

Each run is a fresh interpreter. Measured there:
  floor     import PySide6.QtWidgets, create the QApplication (offscreen), import the window's
            module (what its first frame needs): what every start does anyway
  check     the xcb library check as it runs on an X11 desktop (QT_QPA_PLATFORM=xcb, DISPLAY set):
            one dlopen per library the xcb plugin needs (libraries Qt itself would load next)
  desktop   rotating log set-up, asking for a running instance, Qt message handler, crash hooks
            and the error reporter, with their imports: what runs before the first frame
  listen    listening for later launches (QtNetwork): after the first frame, shown apart
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

from _common import median, report

CHILD = r"""
import json, sys, time
import argparse, logging, os, pathlib  # what profile_editor.app has imported by then
from pathlib import Path
data_dir = Path(sys.argv[1])

t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
import profile_editor.ui.shell.main_window
t1 = time.perf_counter()
from profile_editor.desktop import platform_check
platform_check.missing_xcb_libraries(plugin=lambda: None)
t2 = time.perf_counter()
from profile_editor.diagnostics.crash import install_crash_hooks
from profile_editor.diagnostics.log_setup import configure_logging
from profile_editor.ui.shell.error_reporter import ErrorReporter
from profile_editor.ui.shell.qt_messages import install_qt_message_logging
from profile_editor.ui.shell.single_instance import InstanceServer, activate_running_instance, server_name
setup = configure_logging(data_dir)
name = server_name(data_dir)
activate_running_instance(name)
restore = install_qt_message_logging()
reporter = ErrorReporter(setup.path)
hooks = install_crash_hooks(reporter.notify)
t3 = time.perf_counter()
server = InstanceServer(name)
server.listen()
t4 = time.perf_counter()
hooks.uninstall(); restore(); server.close(); setup.close()
print(json.dumps({"floor": t1 - t0, "check": t2 - t1, "desktop": t3 - t2, "listen": t4 - t3}))
"""


def once(data_dir: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, data_dir], capture_output=True, text=True, check=True
    ).stdout
    return {k: v * 1000 for k, v in json.loads(out.strip().splitlines()[-1]).items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp()
    once(data_dir)  # warm the file cache
    runs = [once(data_dir) for _ in range(args.runs)]
    floor = median([r["floor"] for r in runs])
    check = median([r["check"] for r in runs])
    desktop = median([r["desktop"] for r in runs])
    listen = median([r["listen"] for r in runs])
    report(
        f"xcb library check, median of {args.runs} fresh processes",
        [("QApplication + the window's imports", floor, "ms"), ("xcb check", check, "ms")],
        check / floor,
        0.05,
    )
    report(
        f"log, single-instance ask, hooks (before the first frame), median of {args.runs} runs",
        [
            ("QApplication + the window's imports", floor, "ms"),
            ("desktop steps", desktop, "ms"),
        ],
        desktop / floor,
        0.1,
    )
    print(f"  listening for later launches, after the first frame: {listen:.1f} ms")


if __name__ == "__main__":
    main()
