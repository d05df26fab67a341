"""Issue: environments and restored settings in the real window, against the real sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DialogLog  # type: ignore[import-not-found]
from keyring.backend import KeyringBackend
from keyrings.alt.file import PlaintextKeyring
from PySide6.QtWidgets import QComboBox, QFrame, QLabel, QToolButton
from pytestqt.qtbot import QtBot
from window_helpers import send  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage.environments import Environment, EnvironmentStore, env_from_os_environ
from profile_editor.ui.environment_bar import ElidedLabel
from profile_editor.ui.main_window import MainWindow

STAGING_COLOR = "#1565c0"
GUARDED_COLOR = "#d64541"
# Never contacted: only the name and colour of this environment matter in these tests.
UNREACHABLE_URL = "https://staging.invalid"


# -- helpers ------------------------------------------------------------------------------


def write_environments(tmp_path: Path, *envs: Environment) -> None:
    """Environments saved before the window starts, as the environments dialog would."""
    EnvironmentStore(tmp_path / "data" / "environments.json").save(envs)


def choose_environment(window: MainWindow, name: str) -> None:
    index = window.env_bar.combo.findText(name)
    assert index >= 0, name
    window.env_bar.combo.setCurrentIndex(index)


def combo_names(window: MainWindow) -> list[str]:
    combo = window.env_bar.combo
    return [combo.itemText(i) for i in range(combo.count())]


def fill(window: MainWindow, recipient: str, profile: str) -> None:
    window.recipient_edit.setText(recipient)
    window.editor.json_edit.setPlainText(profile)
    assert window.editor.profile_result().profile is not None


def notice(window: MainWindow) -> ElidedLabel:
    label = window.findChild(QLabel, "keyNoticeLabel")
    assert isinstance(label, ElidedLabel)
    return label


def band_shows(window: MainWindow, name: str, color: str, url: str) -> None:
    band = window.findChild(QFrame, "environmentBand")
    assert band is window.env_bar and band.isVisible()
    assert window.findChild(QComboBox, "environmentCombo").currentText() == name
    active = window.env_bar.active()
    assert active is not None and active.name == name
    assert window.env_bar.background_color() == color
    assert f"background: {color}" in band.styleSheet()
    assert window.env_bar.url_label.full_text() == url
    assert window.base_url == url
    assert f"— {name} —" in window.windowTitle()


def plaintext_keyring(path: Path) -> KeyringBackend:
    backend = PlaintextKeyring()
    backend.file_path = str(path)
    return backend


def files_containing(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


# -- protected environments ---------------------------------------------------------------


def test_a_protected_environment_asks_before_sending(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
    asked: DialogLog,
    tmp_path: Path,
) -> None:
    write_environments(
        tmp_path,
        Environment(name="Guarded", base_url=sandbox.url, color=GUARDED_COLOR, protected=True),
    )
    window = make_window(sandbox.url, sandbox.key)
    assert combo_names(window) == ["Custom", "Guarded"]
    window.vault.set("Guarded", sandbox.key)
    choose_environment(window, "Guarded")
    band_shows(window, "Guarded", GUARDED_COLOR, sandbox.url)
    assert window.env_bar.badge.isVisible()
    assert window.key_edit.text() == sandbox.key
    fill(window, "ada", '{"plan": "pro"}')

    asked.answer("confirm", False)
    window.send_button.click()
    assert [name for name, _ in asked.asked] == ["confirm"]
    question = " ".join(map(str, asked.asked[0][1]))
    assert "Guarded" in question and "protected" in question and "ada" in question
    assert sandbox.requests() == []
    assert sandbox.get_profile("ada") is None
    assert window.status_label.text() == "Not sent: cancelled at the confirmation."

    asked.answer("confirm", True)
    assert send(qtbot, window).ok
    assert [name for name, _ in asked.asked] == ["confirm", "confirm"]
    assert sandbox.get_profile("ada") == {"plan": "pro"}

    # The same target through an unprotected environment sends at once.
    choose_environment(window, "Custom")
    assert not window.env_bar.badge.isVisible()
    window.editor.json_edit.setPlainText('{"plan": "free"}')
    assert send(qtbot, window).ok
    assert len(asked.asked) == 2
    assert sandbox.get_profile("ada") == {"plan": "free"}


def test_opening_a_preset_switches_to_its_environment(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
    asked: DialogLog,
    tmp_path: Path,
) -> None:
    write_environments(
        tmp_path,
        Environment(name="Staging", base_url=UNREACHABLE_URL, color=STAGING_COLOR),
        Environment(name="Local", base_url=sandbox.url, color="#2e7d32"),
    )
    window = make_window(sandbox.url, None)
    # The command-line URL is a stored environment: that one is active, no extra entry.
    assert combo_names(window) == ["Staging", "Local"]
    band_shows(window, "Local", "#2e7d32", sandbox.url)

    choose_environment(window, "Staging")
    fill(window, "ada", '{"a": 1}')
    asked.answer("ask_text", "On staging")
    window.save_action.trigger()
    path = window.preset_store.directory / "On staging.json"
    assert path.is_file()

    window.presets_panel.new_action.trigger()
    choose_environment(window, "Local")
    band_shows(window, "Local", "#2e7d32", sandbox.url)

    window.presets_panel.select_path(path)
    window.presets_panel.open_selected()
    band_shows(window, "Staging", STAGING_COLOR, UNREACHABLE_URL)
    assert window.windowTitle() == "On staging — Staging — Profile Editor"
    qtbot.waitUntil(lambda: UNREACHABLE_URL in window.request_preview.toPlainText())

    # A preset made for an environment that is not here says so and stays where it is.
    window.presets_panel.new_action.trigger()
    choose_environment(window, "Local")
    stray = window.preset_store.directory / "stray.json"
    stray.write_text(
        '{"schema_version": 1, "name": "Stray", "environment": "Gone", "recipient_id": "x"}',
        encoding="utf-8",
    )
    window.presets_panel.refresh()
    window.presets_panel.select_path(stray)
    window.presets_panel.open_selected()
    assert asked.asked[-1][0] == "inform"
    assert "Gone" in " ".join(map(str, asked.asked[-1][1]))
    band_shows(window, "Local", "#2e7d32", sandbox.url)
    assert window.recipient_edit.text() == "x"


# -- keys -----------------------------------------------------------------------------------


def test_without_a_keychain_the_window_says_keys_stay_in_memory(
    qtbot: QtBot, window: MainWindow, sandbox: SandboxServer, tmp_path: Path
) -> None:
    label = notice(window)
    qtbot.waitUntil(label.isVisible)  # the keychain is opened off the UI thread
    assert "kept in memory" in label.full_text()
    assert not window.vault.persistent

    # A key typed for a stored environment lives in this session only.
    choose_environment(window, "EU")
    assert window.key_edit.text() == ""
    qtbot.keyClicks(window.key_edit, "pk_eu_TYPEDKEY12345")
    assert window.key_source.text() == "this session"
    choose_environment(window, "Custom")
    assert window.key_edit.text() == sandbox.key
    choose_environment(window, "EU")
    assert window.key_edit.text() == "pk_eu_TYPEDKEY12345"
    window.close()
    assert files_containing(tmp_path, "pk_eu_TYPEDKEY12345") == []


def test_with_a_keychain_a_stored_key_is_used_after_switching(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    keyring_file = tmp_path / "keyring" / "keyring_pass.cfg"
    write_environments(
        tmp_path,
        Environment(name="Staging", base_url=UNREACHABLE_URL, color=STAGING_COLOR),
        Environment(name="Local", base_url=sandbox.url, color="#2e7d32"),
    )
    window = make_window(sandbox.url, None, keyring_backend=plaintext_keyring(keyring_file))
    assert window.vault.persistent
    assert not notice(window).isVisible()
    assert window.key_edit.text() == ""

    window.vault.set("Local", sandbox.key)
    choose_environment(window, "Staging")
    choose_environment(window, "Local")
    assert window.key_edit.text() == sandbox.key
    assert window.key_source.text() == "keychain"
    fill(window, "ada", '{"via": "keychain"}')
    assert send(qtbot, window).ok
    assert sandbox.get_profile("ada") == {"via": "keychain"}
    assert sandbox.key not in window.request_preview.toPlainText()

    # The key outlives the window: a new one on the same keychain starts with it.
    window.close()
    again = make_window(sandbox.url, None, keyring_backend=plaintext_keyring(keyring_file))
    assert again.env_bar.combo.currentText() == "Local"
    # The keychain is read off the UI thread at start-up.
    qtbot.waitUntil(lambda: again.key_edit.text() == sandbox.key)
    assert keyring_file.is_file()
    assert files_containing(tmp_path / "data", sandbox.key) == []


def test_environment_variables_make_an_environment_of_their_own(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
    tmp_path: Path,
) -> None:
    found = env_from_os_environ(
        {"COURIER_API_KEY": f"  {sandbox.key}\n", "COURIER_BASE_URL": sandbox.url + "/"}
    )
    assert found is not None
    env, key = found
    assert key == sandbox.key
    window = make_window(
        env.base_url,
        key,
        environment_name=env.name,
        environment_color=env.color,
        key_source="from environment",
    )
    assert combo_names(window) == ["Environment variables", "Production", "EU"]
    band_shows(window, "Environment variables", env.color, sandbox.url)
    assert window.key_edit.text() == sandbox.key
    fill(window, "ada", '{"from": "env"}')
    assert send(qtbot, window).ok
    assert sandbox.get_profile("ada") == {"from": "env"}

    # It is not written to the environments file: it comes from the process each time.
    choose_environment(window, "Production")
    window.close()
    assert not (tmp_path / "data" / "environments.json").exists()
    assert files_containing(tmp_path, sandbox.key) == []


def test_the_environments_button_is_on_the_band(window: MainWindow) -> None:
    button = window.findChild(QToolButton, "environmentsButton")
    assert button is not None and button.isVisible()
    assert window.env_bar.isAncestorOf(button)


# -- settings -------------------------------------------------------------------------------


def test_geometry_environment_and_preset_are_restored_on_start(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
    asked: DialogLog,
    tmp_path: Path,
) -> None:
    write_environments(
        tmp_path,
        Environment(name="Staging", base_url=UNREACHABLE_URL, color=STAGING_COLOR),
        Environment(name="Local", base_url=sandbox.url, color="#2e7d32"),
        Environment(name="Other", base_url="https://other.invalid", color="#6a1b9a"),
    )
    first = make_window(sandbox.url, None)
    band_shows(first, "Local", "#2e7d32", sandbox.url)
    # Within the offscreen screen (800 x 800), which restoreGeometry clamps to.
    first.resize(760, 610)
    qtbot.waitUntil(lambda: (first.width(), first.height()) == (760, 610))
    initial = first.side_splitter.sizes()
    total = sum(initial)
    first.side_splitter.setSizes([250, total - 250])
    side = first.side_splitter.sizes()
    assert side == [250, total - 250] != initial
    choose_environment(first, "Staging")
    fill(first, "ada", '{"a": 1}')
    first.note_edit.setText("restored")
    asked.answer("ask_text", "Last one")
    first.save_action.trigger()
    assert first.close()
    assert [n for n, _ in asked.asked] == ["ask_text"]  # clean: closing asked nothing
    assert (tmp_path / "data" / "settings.ini").is_file()

    second = make_window(sandbox.url, None)
    assert (second.width(), second.height()) == (760, 610)
    assert second.side_splitter.sizes() == side
    band_shows(second, "Staging", STAGING_COLOR, UNREACHABLE_URL)
    assert second.windowTitle() == "Last one — Staging — Profile Editor"
    assert second.recipient_edit.text() == "ada"
    assert second.note_edit.text() == "restored"
    assert second.editor.profile_result().profile == {"a": 1}
    assert second.presets_panel.model.current_path() == (
        tmp_path / "data" / "presets" / "Last one.json"
    )
    assert second.presets_panel.selected_entry() is not None
    assert not second.is_dirty()

    # Without a preset, the last environment alone comes back (the URL given says "Local").
    second.presets_panel.new_action.trigger()
    choose_environment(second, "Other")
    second.close()
    third = make_window(sandbox.url, None)
    band_shows(third, "Other", "#6a1b9a", "https://other.invalid")
    assert third.windowTitle().startswith("Untitled")
    assert third.recipient_edit.text() == ""


def test_settings_stay_inside_the_data_folder(
    qtbot: QtBot, window: MainWindow, asked: DialogLog, tmp_path: Path
) -> None:
    window.recipient_edit.setText("ada")
    asked.answer("ask_text", "Anything")
    window.save_action.trigger()
    window.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    written = sorted(str(p.relative_to(tmp_path / "data")) for p in (tmp_path / "data").rglob("*"))
    assert "settings.ini" in written and "presets/Anything.json" in written


@pytest.mark.parametrize("gone", ["preset", "environment"])
def test_a_missing_last_preset_or_environment_is_skipped(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
    asked: DialogLog,
    tmp_path: Path,
    gone: str,
) -> None:
    write_environments(
        tmp_path,
        Environment(name="Staging", base_url=UNREACHABLE_URL, color=STAGING_COLOR),
        Environment(name="Local", base_url=sandbox.url, color="#2e7d32"),
    )
    first = make_window(sandbox.url, None)
    choose_environment(first, "Staging")
    first.recipient_edit.setText("ada")
    asked.answer("ask_text", "Doomed")
    first.save_action.trigger()
    first.close()
    if gone == "preset":
        (tmp_path / "data" / "presets" / "Doomed.json").unlink()
    else:
        write_environments(
            tmp_path, Environment(name="Local", base_url=sandbox.url, color="#2e7d32")
        )
    second = make_window(sandbox.url, None)
    if gone == "preset":
        band_shows(second, "Staging", STAGING_COLOR, UNREACHABLE_URL)
        assert second.windowTitle().startswith("Untitled")
    else:
        band_shows(second, "Local", "#2e7d32", sandbox.url)
        # The preset opens; its environment is gone, which is said, not hidden.
        assert second.recipient_edit.text() == "ada"
        assert asked.asked[-1][0] == "inform" and "Staging" in str(asked.asked[-1][1])


@pytest.mark.parametrize("saved_in", ["Custom", "EU"])
def test_a_target_given_at_start_is_not_replaced_by_the_last_preset(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    sandbox: SandboxServer,
    asked: DialogLog,
    saved_in: str,
) -> None:
    first = make_window(sandbox.url, sandbox.key)
    choose_environment(first, saved_in)
    first.recipient_edit.setText("ada")
    asked.answer("ask_text", "Remembered")
    first.save_action.trigger()
    assert first.close()

    # Started again with a URL and key (command line, env vars, --sandbox): that target wins.
    second = make_window(sandbox.url, sandbox.key)
    band_shows(second, "Custom", "#455a64", sandbox.url)
    assert second.key_edit.text() == sandbox.key
    if saved_in == "Custom":
        # The preset belongs to this very target: it comes back.
        assert second.windowTitle() == "Remembered — Custom — Profile Editor"
        assert second.recipient_edit.text() == "ada"
    else:
        assert second.windowTitle().startswith("Untitled")
        assert second.recipient_edit.text() == ""
