"""EnvironmentsDialog (environments and their keys) and EnvironmentBar (the coloured band)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from profile_editor.storage.environments import Environment, EnvironmentStore
from profile_editor.storage.secrets import KeyVault
from profile_editor.ui.environments import dialog as dialog_module
from profile_editor.ui.environments.bar import (
    PROTECTED_STRIPE,
    EnvironmentBar,
    readable_text_color,
)
from profile_editor.ui.environments.dialog import EnvironmentsDialog

KEY = "pk_prod_UI-KEY-0123456789abcdef"
OTHER_KEY = "pk_test_OTHER-KEY-987654321"
SERVICE = "profile-editor-ui-test"


@pytest.fixture
def keyring_file(tmp_path: Path) -> Path:
    return tmp_path / "keyring" / "keyring_pass.cfg"


def plaintext_backend(keyring_file: Path) -> KeyringBackend:
    file_module = pytest.importorskip("keyrings.alt.file")
    backend = file_module.PlaintextKeyring()
    backend.file_path = str(keyring_file)
    assert isinstance(backend, KeyringBackend)
    return backend


@pytest.fixture
def file_vault(keyring_file: Path) -> KeyVault:
    return KeyVault(service=SERVICE, backend=plaintext_backend(keyring_file))


@pytest.fixture
def memory_vault() -> KeyVault:
    return KeyVault(service=SERVICE, backend=fail.Keyring())


@pytest.fixture
def store(tmp_path: Path) -> EnvironmentStore:
    return EnvironmentStore(tmp_path / "config" / "environments.json")


def make_dialog(
    qtbot: QtBot, store: EnvironmentStore, vault: KeyVault, envs: list[Environment] | None = None
) -> EnvironmentsDialog:
    dialog = EnvironmentsDialog(store, vault, envs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def names(dialog: EnvironmentsDialog) -> list[str]:
    return [dialog.list.item(i).text() for i in range(dialog.list.count())]


def files_containing(root: Path, text: str, *, besides: Path | None = None) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and path != besides and text.encode() in path.read_bytes():
            found.append(path)
    return found


def add_staging(dialog: EnvironmentsDialog, key: str) -> None:
    dialog.add_button.click()
    dialog.name_edit.setText("Staging")
    dialog.url_edit.setText("https://staging.example.com/")
    dialog.findChild(QWidget, "envSwatch1565c0").click()  # type: ignore[union-attr]
    dialog.key_edit.setText(key)


# -- EnvironmentsDialog -------------------------------------------------------------------


def test_edit_and_save_with_session_only_keys(
    qtbot: QtBot, tmp_path: Path, store: EnvironmentStore, memory_vault: KeyVault
) -> None:
    dialog = make_dialog(qtbot, store, memory_vault)
    assert names(dialog) == ["Production  (protected)", "EU  (protected)"]
    notice = dialog.vault_notice
    assert notice.isVisible()
    assert memory_vault.reason in notice.text()
    assert "only for this session" in notice.text()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password

    dialog.key_edit.setText(KEY)  # Production
    add_staging(dialog, OTHER_KEY)
    dialog.protected_check.setChecked(True)
    dialog.save_button().click()
    assert dialog.result() == QDialog.DialogCode.Accepted

    saved = store.load()
    assert [e.name for e in saved] == ["Production", "EU", "Staging"]
    staging = saved[2]
    assert staging.base_url == "https://staging.example.com"
    assert staging.color == "#1565c0" and staging.protected
    assert dialog.result_environments() == saved == dialog.saved_environments()
    assert memory_vault.get("Production") == KEY
    assert memory_vault.get("Staging") == OTHER_KEY
    assert memory_vault.get("EU") is None
    assert files_containing(tmp_path, KEY) == []
    assert files_containing(tmp_path, OTHER_KEY) == []


def test_keys_persist_in_the_keychain_file(
    qtbot: QtBot,
    tmp_path: Path,
    store: EnvironmentStore,
    file_vault: KeyVault,
    keyring_file: Path,
) -> None:
    dialog = make_dialog(qtbot, store, file_vault)
    assert not dialog.vault_notice.isVisible()
    dialog.key_edit.setText(KEY)
    add_staging(dialog, OTHER_KEY)
    assert "keychain" in dialog.key_status.text()
    dialog.save_button().click()
    assert dialog.result() == QDialog.DialogCode.Accepted

    restarted = KeyVault(service=SERVICE, backend=plaintext_backend(keyring_file))
    assert restarted.persistent
    assert restarted.get("Production") == KEY
    assert restarted.get("Staging") == OTHER_KEY
    assert keyring_file.exists()
    for secret in (KEY, OTHER_KEY):
        assert files_containing(tmp_path, secret, besides=keyring_file) == []
    assert KEY not in store.path.read_text(encoding="utf-8")


def test_a_stored_key_is_never_shown(
    qtbot: QtBot, store: EnvironmentStore, file_vault: KeyVault
) -> None:
    file_vault.set("Production", KEY)
    dialog = make_dialog(qtbot, store, file_vault)
    assert dialog.key_edit.text() == ""
    assert KEY not in dialog.key_edit.placeholderText()
    assert "stored" in dialog.key_status.text()
    for child in dialog.findChildren(QWidget):
        for text in (getattr(child, "text", lambda: "")(), child.toolTip()):
            assert KEY not in str(text)


def test_invalid_url_is_shown_inline_and_blocks_saving(
    qtbot: QtBot, store: EnvironmentStore, memory_vault: KeyVault
) -> None:
    dialog = make_dialog(qtbot, store, memory_vault)
    dialog.url_edit.setText("ftp://api.courier.com")
    assert dialog.url_error.isVisible()
    assert "http:// or https://" in dialog.url_error.text()
    assert not dialog.save_button().isEnabled()
    dialog.accept()  # e.g. Enter pressed: still refused
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert not store.path.exists()
    with pytest.raises(ValueError, match="http"):
        dialog.result_environments()

    dialog.url_edit.setText("https://user:pw@api.courier.com")
    assert "user name or password" in dialog.url_error.text()
    # Another row's problem is listed below, this row's next to its field.
    dialog.select_row(1)
    assert not dialog.url_error.isVisible()
    assert dialog.error_label.isVisible()
    assert "Production" in dialog.error_label.text()
    dialog.select_row(0)
    dialog.url_edit.setText("https://api.courier.com")
    assert not dialog.url_error.isVisible() and not dialog.error_label.isVisible()
    assert dialog.save_button().isEnabled()


def test_blank_and_duplicate_names_are_refused(
    qtbot: QtBot, store: EnvironmentStore, memory_vault: KeyVault
) -> None:
    dialog = make_dialog(qtbot, store, memory_vault)
    dialog.name_edit.setText("  ")
    assert dialog.name_error.isVisible() and "blank" in dialog.name_error.text()
    dialog.name_edit.setText("eu")
    assert "also named" in dialog.name_error.text()
    assert not dialog.save_button().isEnabled()
    dialog.name_edit.setText("Prod")
    assert dialog.save_button().isEnabled()


def test_a_key_pasted_into_a_name_is_refused(
    qtbot: QtBot, store: EnvironmentStore, memory_vault: KeyVault
) -> None:
    dialog = make_dialog(qtbot, store, memory_vault)
    dialog.key_edit.setText(KEY)
    dialog.name_edit.setText(f"Prod {KEY}")
    assert not dialog.save_button().isEnabled()
    assert any("API key" in p for p in dialog.problems())
    assert not dialog.save()
    assert not store.path.exists()


def test_rename_moves_and_remove_deletes_the_key(
    qtbot: QtBot, store: EnvironmentStore, file_vault: KeyVault
) -> None:
    file_vault.set("Production", KEY)
    file_vault.set("EU", OTHER_KEY)
    dialog = make_dialog(qtbot, store, file_vault)
    dialog.name_edit.setText("Prod (US)")
    assert "moves to the new name" in dialog.key_status.text()
    dialog.select_row(1)
    dialog.remove_button.click()
    assert names(dialog) == ["Prod (US)  (protected)"]
    dialog.save_button().click()
    assert dialog.result() == QDialog.DialogCode.Accepted

    assert [e.name for e in store.load()] == ["Prod (US)"]
    assert file_vault.get("Prod (US)") == KEY
    assert file_vault.get("Production") is None
    assert file_vault.get("EU") is None


def test_swapped_names_keep_their_keys(
    qtbot: QtBot, store: EnvironmentStore, memory_vault: KeyVault
) -> None:
    memory_vault.set("Production", KEY)
    memory_vault.set("EU", OTHER_KEY)
    dialog = make_dialog(qtbot, store, memory_vault)
    dialog.name_edit.setText("tmp")
    dialog.select_row(1)
    dialog.name_edit.setText("Production")
    dialog.select_row(0)
    dialog.name_edit.setText("EU")
    assert dialog.save()
    assert memory_vault.get("EU") == KEY
    assert memory_vault.get("Production") == OTHER_KEY


def test_remove_key_button(qtbot: QtBot, store: EnvironmentStore, file_vault: KeyVault) -> None:
    file_vault.set("Production", KEY)
    dialog = make_dialog(qtbot, store, file_vault)
    assert dialog.key_clear_button.isEnabled()
    dialog.key_clear_button.click()
    assert "removed" in dialog.key_status.text()
    assert not dialog.key_clear_button.isEnabled()
    assert dialog.save()
    assert file_vault.get("Production") is None


def test_colour_through_the_seam(
    qtbot: QtBot, store: EnvironmentStore, memory_vault: KeyVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = make_dialog(qtbot, store, memory_vault)
    monkeypatch.setattr(dialog_module, "ask_color", lambda parent, initial: None)
    dialog.color_button.click()
    assert dialog.result_environments()[0].color == "#d64541"
    seen: list[str] = []

    def pick(parent: QWidget | None, initial: str) -> str:
        seen.append(initial)
        return "#123456"

    monkeypatch.setattr(dialog_module, "ask_color", pick)
    dialog.color_button.click()
    assert seen == ["#d64541"]
    assert dialog.result_environments()[0].color == "#123456"
    assert dialog.color_button.text() == "#123456"


def test_cancel_writes_nothing(
    qtbot: QtBot, tmp_path: Path, store: EnvironmentStore, memory_vault: KeyVault
) -> None:
    dialog = make_dialog(qtbot, store, memory_vault)
    dialog.key_edit.setText(KEY)
    dialog.remove_button.click()
    dialog.reject()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not store.path.exists()
    assert memory_vault.get("Production") is None
    assert files_containing(tmp_path, KEY) == []


def test_storage_failure_is_shown_and_keys_are_untouched(
    qtbot: QtBot, tmp_path: Path, memory_vault: KeyVault
) -> None:
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    store = EnvironmentStore(blocked)  # a folder where the file should be: cannot be written
    dialog = make_dialog(qtbot, store, memory_vault, [Environment(name="A", base_url="http://a")])
    dialog.key_edit.setText(KEY)
    dialog.save_button().click()
    assert dialog.isVisible()
    assert dialog.error_label.isVisible() and "Not saved" in dialog.error_label.text()
    assert memory_vault.get("A") is None


def test_broken_settings_file_is_reported(
    qtbot: QtBot, store: EnvironmentStore, memory_vault: KeyVault
) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{oops", encoding="utf-8")
    dialog = make_dialog(qtbot, store, memory_vault)
    assert dialog.file_notice.isVisible()
    assert "not valid JSON" in dialog.file_notice.text()
    assert dialog.save()
    assert json.loads(store.path.read_text(encoding="utf-8"))["environments"]


def test_remove_everything_then_add(
    qtbot: QtBot, store: EnvironmentStore, memory_vault: KeyVault
) -> None:
    dialog = make_dialog(qtbot, store, memory_vault)
    dialog.remove_button.click()
    dialog.remove_button.click()
    assert dialog.list.count() == 0
    assert not dialog.editor.isEnabled() and not dialog.remove_button.isEnabled()
    dialog.add_button.click()
    dialog.add_button.click()
    assert names(dialog) == ["New environment", "New environment 2"]
    assert dialog.save()
    assert [e.name for e in store.load()] == ["New environment", "New environment 2"]


# -- EnvironmentBar -----------------------------------------------------------------------

ENVS = [
    Environment(
        name="Production", base_url="https://api.courier.com", color="#d64541", protected=True
    ),
    Environment(name="Staging", base_url="https://staging.example.com", color="#1565c0"),
    Environment(name="Light", base_url="https://light.example.com", color="#f1c40f"),
]


@pytest.fixture
def bar(qtbot: QtBot) -> EnvironmentBar:
    b = EnvironmentBar()
    qtbot.addWidget(b)
    b.resize(700, 40)
    b.show()
    return b


def pixel(bar: EnvironmentBar, x: int, y: int) -> str:
    return QColor(bar.grab().toImage().pixelColor(x, y)).name()


def test_readable_text_color() -> None:
    assert readable_text_color("#ffffff") == "#000000"
    assert readable_text_color("#000000") == "#ffffff"
    assert readable_text_color("#f1c40f") == "#000000"  # yellow
    assert readable_text_color("#1565c0") == "#ffffff"  # dark blue
    assert readable_text_color("#2e7d32") == "#ffffff"  # dark green


def test_bar_shows_environment(qtbot: QtBot, bar: EnvironmentBar) -> None:
    assert bar.objectName() == "environmentBand"
    with qtbot.assertNotEmitted(bar.environmentChanged):
        active = bar.set_environments(ENVS, "staging")
    assert active == ENVS[1] == bar.active()
    combo = bar.combo
    assert combo.objectName() == "environmentCombo"
    assert [combo.itemText(i) for i in range(combo.count())] == ["Production", "Staging", "Light"]
    assert combo.currentText() == "Staging"
    assert bar.url_label.full_text() == "https://staging.example.com"
    assert not bar.badge.isVisible()
    assert bar.text_color() == "#ffffff"
    qtbot.waitUntil(lambda: pixel(bar, bar.width() - 3, bar.height() // 2) == "#1565c0")


def test_protected_environment_has_badge_and_stripe(qtbot: QtBot, bar: EnvironmentBar) -> None:
    bar.set_environments(ENVS, "Production")
    assert bar.badge.isVisible() and bar.badge.text() == "PROTECTED"
    qtbot.waitUntil(lambda: pixel(bar, bar.width() // 2, 1) == PROTECTED_STRIPE)
    assert pixel(bar, bar.width() - 3, bar.height() // 2) == "#d64541"

    bar.set_environments(ENVS, "Light")
    assert not bar.badge.isVisible()
    assert bar.text_color() == "#000000"
    qtbot.waitUntil(lambda: pixel(bar, bar.width() // 2, 1) == "#f1c40f")


def test_combo_and_select_emit_environment_changed(qtbot: QtBot, bar: EnvironmentBar) -> None:
    bar.set_environments(ENVS, None)
    assert bar.active() == ENVS[0]  # no active name: the first
    with qtbot.waitSignal(bar.environmentChanged) as blocker:
        bar.combo.setCurrentIndex(2)
    assert blocker.args == [ENVS[2]]
    assert bar.active() == ENVS[2] and bar.url_label.full_text() == ENVS[2].base_url

    with qtbot.waitSignal(bar.environmentChanged) as blocker:
        assert bar.select("production")
    assert blocker.args == [ENVS[0]]
    with qtbot.assertNotEmitted(bar.environmentChanged):
        assert not bar.select("nowhere")
        assert bar.select("Production")  # already active
    assert bar.active() == ENVS[0]


def test_unknown_active_falls_back_and_empty_list(bar: EnvironmentBar) -> None:
    assert bar.set_environments(ENVS, "Gone") == ENVS[0]
    assert bar.set_environments([], None) is None
    assert bar.active() is None
    assert not bar.combo.isEnabled()
    assert not bar.badge.isVisible()


def test_key_notice_and_settings_button(qtbot: QtBot, bar: EnvironmentBar) -> None:
    bar.set_environments(ENVS, "Staging")
    notice = bar.notice_label
    assert notice.objectName() == "keyNoticeLabel" and not notice.isVisible()
    text = "Keys are kept in memory for this session: no system keychain"
    bar.set_key_notice(text)
    assert notice.isVisible() and notice.full_text() == text
    bar.set_key_notice("")
    assert not notice.isVisible()

    assert bar.settings_button.objectName() == "environmentsButton"
    with qtbot.waitSignal(bar.editRequested):
        bar.settings_button.click()


@pytest.mark.parametrize(("name", "text"), [("Staging", "#ffffff"), ("Light", "#000000")])
def test_the_settings_icon_is_drawn_in_the_band_text_colour(
    bar: EnvironmentBar, name: str, text: str
) -> None:
    bar.set_environments(ENVS, name)
    for size in (16, 32):  # drawn when shown, at the size asked for (e.g. a high-DPI screen)
        image = bar.settings_button.icon().pixmap(size, size).toImage()
        assert image.width() == size
        drawn = {
            image.pixelColor(x, y).name()
            for x in range(size)
            for y in range(size)
            if image.pixelColor(x, y).alpha() > 200
        }
        assert drawn == {text}


def test_long_url_is_elided_not_widening(bar: EnvironmentBar) -> None:
    long_url = "https://grey.example.com/" + "segment/" * 60
    env = Environment(name="Long", base_url=long_url)
    bar.set_environments([env], "Long")
    assert bar.minimumSizeHint().width() < 700
    assert bar.url_label.full_text() == env.base_url
    assert bar.url_label.toolTip() == env.base_url
    assert "…" in bar.url_label.text()
