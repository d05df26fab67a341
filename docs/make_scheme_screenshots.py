"""Render the main window in the light and the dark colour scheme against a local sandbox.

    QT_QPA_PLATFORM=offscreen python docs/make_scheme_screenshots.py [OUT_DIR]

Writes ``screenshot-light.png`` and ``screenshot-dark.png`` (a loaded profile with edits, so
the Changes view, the JSON colours, a problem mark and a status are all on screen).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from _shots import sandbox_window, spin, wait_idle  # type: ignore[import-not-found]
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from profile_editor.sandbox.server import start_sandbox
from profile_editor.ui.common.palette import theme


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    out.mkdir(parents=True, exist_ok=True)
    QApplication([])
    sandbox = start_sandbox(port=0)
    sandbox.put_profile(
        "user-ada-001",
        {"email": "ada@example.com", "name": "Ada", "custom": {"plan": "pro"}, "locale": "en-GB"},
    )
    window = sandbox_window(sandbox, Path(tempfile.mkdtemp()))
    window.show()
    spin(300)
    window.request_bar.recipient_edit.setText("user-ada-001")
    window.request_bar.load_button.click()
    wait_idle(window)
    edited = {
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "custom": {"plan": "enterprise", "seats": 3},
        "phoneNumber": "+44 20 7946 0018",
        "locale": 44,
        "beta": True,
    }
    # Typed into the JSON tab, as a user would: the Changes view and Problems list follow.
    window.editor.json_edit.setPlainText(json.dumps(edited, indent=2))
    spin(1500)
    for name, scheme in (("light", Qt.ColorScheme.Light), ("dark", Qt.ColorScheme.Dark)):
        theme().set_override(scheme)
        spin(400)
        window.grab().save(str(out / f"screenshot-{name}.png"))
    window.editor.set_modified(False)
    window.close()
    sandbox.stop()


if __name__ == "__main__":
    main()
