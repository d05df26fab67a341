"""Render the Lists tab after a Load against a local sandbox and save it.

    QT_QPA_PLATFORM=offscreen python docs/make_screenshot_lists.py [OUT_FILE]

Writes ``docs/screenshot-lists.png`` unless told otherwise.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import httpx
from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from profile_editor.app import create_main_window
from profile_editor.sandbox.server import start_sandbox
from profile_editor.ui.main_window import MainWindow

RID = "user-ada-001"
LISTS = [
    ("weekly-digest", {"notifications": {"digest": {"status": "OPTED_IN"}}}),
    ("product-updates", {"categories": {"marketing": {"status": "OPTED_OUT"}}}),
    ("billing-alerts", {"categories": {"billing": {"status": "REQUIRED"}}}),
    ("beta-testers", None),
    ("eu-customers", None),
]


def spin(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshot-lists.png")
    QApplication([])
    sandbox = start_sandbox(port=0)
    sandbox.put_profile(RID, {"email": "ada@example.com", "name": "Ada", "locale": "en-GB"})
    items = [{"listId": i, **({"preferences": p} if p else {})} for i, p in LISTS]
    httpx.post(
        f"{sandbox.url}/profiles/{RID}/lists",
        json={"lists": items},
        headers={"Authorization": f"Bearer {sandbox.key}"},
    ).raise_for_status()
    window = create_main_window(
        base_url=sandbox.url,
        auth_token=sandbox.key,
        data_dir=Path(tempfile.mkdtemp()),
        sandbox=True,
        environment_name="Sandbox",
        environment_color="#00897b",
        keyring_backend=FailKeyring(),
    )
    assert isinstance(window, MainWindow)
    window.show()
    spin(400)
    window.request_bar.recipient_edit.setText(RID)
    window.output.lists_tab.list_id_edit.setText("spring-launch")
    window.request_bar.load_button.click()
    for _ in range(100):
        spin(50)
        if not window.is_busy() and not window.lists.is_busy():
            break
    window.output.setCurrentWidget(window.output.lists_tab)
    window.splitter.setSizes([520, 480])  # as a user widens the tabs to read the lists
    spin(300)
    window.grab().save(str(out))
    window.close()
    sandbox.stop()


if __name__ == "__main__":
    main()
