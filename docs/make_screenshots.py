"""Render the window in its main states against a local sandbox and save PNGs.

    QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py [OUT_DIR]

``docs/screenshot.png`` (the README picture) is the "changes" state.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from _shots import sandbox_window, spin, wait_idle  # type: ignore[import-not-found]
from PySide6.QtWidgets import QApplication

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import start_sandbox
from profile_editor.storage.presets import Preset, PresetStore
from profile_editor.ui.common import dialogs


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    out.mkdir(parents=True, exist_ok=True)
    QApplication([])
    data = Path(tempfile.mkdtemp())
    store = PresetStore(data / "presets")
    for name, rid in [
        ("Ada — welcome flow", "user-ada-001"),
        ("Slack channel for Bob", "bob-42"),
        ("Locale de-DE", "kunde-7"),
    ]:
        store.save(
            Preset(name=name, recipient_id=rid, profile={"locale": "de-DE"}, note="daily check")
        )
    sandbox = start_sandbox(port=0)
    sandbox.put_profile(
        "user-ada-001",
        {
            "email": "ada@example.com",
            "name": "Ada",
            "custom": {"plan": "pro", "seats": 3},
            "locale": "en-GB",
        },
    )
    window = sandbox_window(sandbox, data)
    dialogs.confirm = lambda *a, **k: True  # type: ignore[assignment]
    window.show()
    spin(500)
    window.grab().save(str(out / "shot-empty.png"))

    window.request_bar.recipient_edit.setText("user-ada-001")
    window.request_bar.load_button.click()
    wait_idle(window)
    window.editor.json_edit.setPlainText(
        json.dumps(
            {
                "email": "ada@example.com",
                "name": "Ada Lovelace",
                "custom": {"plan": "enterprise"},
                "locale": None,
                "phone_number": "+44 20 7946 0018",
            },
            indent=2,
        )
    )
    spin(600)
    window.grab().save(str(out / "screenshot.png"))

    sandbox.queue_fault(Fault(delay=2))
    window.request_bar.send_button.click()
    spin(300)
    window.grab().save(str(out / "shot-sending.png"))
    wait_idle(window)
    window.request_bar.send_button.click()
    wait_idle(window)
    window.grab().save(str(out / "shot-success.png"))

    sandbox.queue_fault(
        Fault(
            status=400,
            body=json.dumps(
                {
                    "message": "Invalid profile: phone_number must be E.164",
                    "type": "invalid_request_error",
                }
            ),
        )
    )
    window.request_bar.send_button.click()
    wait_idle(window)
    spin(300)  # entries of sends in quick succession reach the history together
    window.grab().save(str(out / "shot-error.png"))

    window.editor.json_edit.setPlainText('{\n  "email": "ada@example.com",\n  "name": NaN,\n}')
    window.editor.tabs.setCurrentIndex(1)
    spin(500)
    window.grab().save(str(out / "shot-json-error.png"))
    window.editor.set_modified(False)
    window.close()
    sandbox.stop()


if __name__ == "__main__":
    main()
