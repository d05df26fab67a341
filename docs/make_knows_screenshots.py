"""Render the Problems list and Patch mode against a local sandbox and save the PNGs.

    QT_QPA_PLATFORM=offscreen python docs/make_knows_screenshots.py [OUT_DIR]

Writes ``screenshot-problems.png`` and ``screenshot-patch.png``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from _shots import sandbox_window, spin, wait_idle  # type: ignore[import-not-found]
from PySide6.QtWidgets import QApplication

from profile_editor.core.methods import Method
from profile_editor.sandbox.server import start_sandbox


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    out.mkdir(parents=True, exist_ok=True)
    QApplication([])
    data = Path(tempfile.mkdtemp())
    sandbox = start_sandbox(port=0)
    stored = {
        "email": "ada@example.com",
        "phone_number": "+442079460018",
        "name": "Ada Lovelace",
        "custom": {"plan": "pro", "seats": 3},
        "tags": ["beta"],
    }
    sandbox.put_profile("user-ada-001", stored)
    window = sandbox_window(sandbox, data)
    window.show()
    spin(500)
    window.request_bar.recipient_edit.setText("user-ada-001")
    window.request_bar.load_button.click()
    wait_idle(window)

    edited = {
        **stored,
        "phone": "+44 20 7946 0018",
        "email_verified": "yes",
        "locale": "en_GB",
        "slack": {"channel": "C024BE91L"},
    }
    window.editor.json_edit.setPlainText(json.dumps(edited, indent=2))
    window.editor.tabs.setCurrentIndex(1)
    spin(700)
    window.grab().save(str(out / "screenshot-problems.png"))

    bar = window.request_bar
    bar.method_combo.setCurrentIndex(bar.method_combo.findData(Method.PATCH.value))
    window.editor_pane.set_patch(
        [
            {"op": "replace", "path": "/email", "value": "ada@lovelace.dev"},
            {"op": "add", "path": "/tags/-", "value": "vip"},
            {"op": "remove", "path": "/custom/seats"},
            {"op": "add", "path": "/locale", "value": "en-GB"},
            {"op": "remove", "path": "/phone"},
        ]
    )
    spin(700)
    window.grab().save(str(out / "screenshot-patch.png"))

    window.editor_pane.set_modified(False)
    window.close()
    sandbox.stop()


if __name__ == "__main__":
    main()
