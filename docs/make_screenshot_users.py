"""Render the Preferences, Devices and Tenants tabs after a Load of the demo recipient (the state
``--sandbox`` starts with) and save one picture of each.

    QT_QPA_PLATFORM=offscreen python docs/make_screenshot_users.py [OUT_DIR]

Writes ``docs/screenshot-preferences.png``, ``docs/screenshot-devices.png`` and
``docs/screenshot-tenants.png`` unless told another folder.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _shots import sandbox_window, spin, wait_idle  # type: ignore[import-not-found]
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget

from profile_editor.sandbox.demo import DEMO_RECIPIENT, demo_seed
from profile_editor.sandbox.server import start_sandbox


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    QApplication([])
    sandbox = start_sandbox(port=0, seed=demo_seed())
    window = sandbox_window(sandbox, Path(tempfile.mkdtemp()))
    window.show()
    spin(400)
    tabs = window.findChild(QTabWidget, "outputTabs")
    assert tabs is not None
    tabs.setCurrentWidget(window.findChild(QWidget, "preferencesPage"))
    window.request_bar.recipient_edit.setText(DEMO_RECIPIENT)
    window.request_bar.load_button.click()
    wait_idle(window, lambda: window.users().is_busy() or window.lists.is_busy())
    window.splitter.setSizes([420, 660])  # as a user widens the tabs to read them
    users = window.users()
    # A staged opt-in shows what Apply will send.
    model = users.preferences_model
    model.setData(model.index_of("weekly-digest", 1), "OPTED_IN", Qt.ItemDataRole.EditRole)
    spin(300)
    window.grab().save(str(out / "screenshot-preferences.png"))
    for page, name in (("tokensPage", "devices"), ("tenantsPage", "tenants")):
        tabs.setCurrentWidget(window.findChild(QWidget, page))
        spin(300)
        window.grab().save(str(out / f"screenshot-{name}.png"))
    window.close()
    sandbox.stop()


if __name__ == "__main__":
    main()
