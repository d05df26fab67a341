"""Render the Lists tab after a Load against a local sandbox and save it.

    QT_QPA_PLATFORM=offscreen python docs/make_screenshot_lists.py [OUT_FILE]

Writes ``docs/screenshot-lists.png`` unless told otherwise.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import httpx
from _shots import sandbox_window, spin, wait_idle  # type: ignore[import-not-found]
from PySide6.QtWidgets import QApplication

from profile_editor.sandbox.server import start_sandbox

RID = "user-ada-001"
LISTS = [
    ("weekly-digest", {"notifications": {"digest": {"status": "OPTED_IN"}}}),
    ("product-updates", {"categories": {"marketing": {"status": "OPTED_OUT"}}}),
    ("billing-alerts", {"categories": {"billing": {"status": "REQUIRED"}}}),
    ("beta-testers", None),
    ("eu-customers", None),
]


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
    window = sandbox_window(sandbox, Path(tempfile.mkdtemp()))
    window.show()
    spin(400)
    window.request_bar.recipient_edit.setText(RID)
    window.output.lists_tab.list_id_edit.setText("spring-launch")
    window.request_bar.load_button.click()
    wait_idle(window, window.lists.is_busy)
    window.output.setCurrentWidget(window.output.lists_tab)
    window.splitter.setSizes([520, 480])  # as a user widens the tabs to read the lists
    spin(300)
    window.grab().save(str(out))
    window.close()
    sandbox.stop()


if __name__ == "__main__":
    main()
