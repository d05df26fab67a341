"""Issue: environments and restored settings in the real window, against the real sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from driver import MakeWindow, WindowDriver  # type: ignore[import-not-found]
from keyring.backend import KeyringBackend
from keyrings.alt.file import PlaintextKeyring
from PySide6.QtWidgets import QFrame, QToolButton
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage.environments import Environment, EnvironmentStore, env_from_os_environ
from profile_editor.ui.environments.bar import EnvironmentBar

STAGING_COLOR = "#1565c0"
GUARDED_COLOR = "#d64541"
# Never contacted: only the name and colour of this environment matter in these tests.
UNREACHABLE_URL = "https://staging.invalid"


# -- helpers ------------------------------------------------------------------------------


def write_environments(tmp_path: Path, *envs: Environment) -> None:
    """Environments saved before the window starts, as the environments dialog would."""
    EnvironmentStore(tmp_path / "data" / "environments.json").save(envs)


def band_shows(window: WindowDriver, name: str, color: str, url: str) -> None:
    band = window.find(QFrame, "environmentBand")
    assert isinstance(band, EnvironmentBar) and band.isVisible()
    assert window.environment_shown() == name
    active = window.environment()
    assert active is not None and active.name == name
    assert band.background_color() == color
    assert f"background: {color}" in band.styleSheet()
    assert window.environment_url() == url
    assert window.base_url() == url
    assert f"— {name} —" in window.title()


def plaintext_keyring(path: Path) -> KeyringBackend:
    backend = PlaintextKeyring()
    backend.file_path = str(path)
    return backend


def files_containing(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


# -- protected environments ---------------------------------------------------------------


def test_a_protected_environment_asks_before_sending(
    make_window: MakeWindow,
    sandbox: SandboxServer,
    dialog_stub: DialogStub,
    tmp_path: Path,
) -> None:
    write_environments(
        tmp_path,
        Environment(name="Guarded", base_url=sandbox.url, color=GUARDED_COLOR, protected=True),
    )
    window = make_window(sandbox.url, sandbox.key)
    assert window.environment_names() == ["Custom", "Guarded"]
    window.keychain().set("Guarded", sandbox.key)
    window.choose_environment("Guarded")
    band_shows(window, "Guarded", GUARDED_COLOR, sandbox.url)
    assert window.protected_badge_visible()
    assert window.key() == sandbox.key
    window.fill(recipient="ada", profile='{"plan": "pro"}')

    dialog_stub.answer("confirm", False)
    window.click_send()
    assert dialog_stub.kinds() == ["confirm"]
    question = dialog_stub.questions[0].words()
    assert "Guarded" in question and "protected" in question and "ada" in question
    assert sandbox.requests() == []
    assert sandbox.get_profile("ada") is None
    assert window.status() == "Not sent: cancelled at the confirmation."

    dialog_stub.answer("confirm", True)
    assert window.send().ok
    assert dialog_stub.kinds() == ["confirm", "confirm"]
    assert sandbox.get_profile("ada") == {"plan": "pro"}

    # The same target through an unprotected environment sends at once.
    window.choose_environment("Custom")
    assert not window.protected_badge_visible()
    window.set_json_text('{"plan": "free"}')
    assert window.send().ok
    assert len(dialog_stub.questions) == 2
    assert sandbox.get_profile("ada") == {"plan": "free"}


def test_opening_a_preset_switches_to_its_environment(
    qtbot: QtBot,
    make_window: MakeWindow,
    sandbox: SandboxServer,
    dialog_stub: DialogStub,
    tmp_path: Path,
) -> None:
    write_environments(
        tmp_path,
        Environment(name="Staging", base_url=UNREACHABLE_URL, color=STAGING_COLOR),
        Environment(name="Local", base_url=sandbox.url, color="#2e7d32"),
    )
    window = make_window(sandbox.url, None)
    # The command-line URL is a stored environment: that one is active, no extra entry.
    assert window.environment_names() == ["Staging", "Local"]
    band_shows(window, "Local", "#2e7d32", sandbox.url)

    window.choose_environment("Staging")
    window.fill(recipient="ada", profile='{"a": 1}')
    dialog_stub.answer("ask_text", "On staging")
    window.save()
    path = window.presets_dir() / "On staging.json"
    assert path.is_file()

    window.new_preset()
    window.choose_environment("Local")
    band_shows(window, "Local", "#2e7d32", sandbox.url)

    window.presets().select_path(path)
    window.presets().open_selected()
    band_shows(window, "Staging", STAGING_COLOR, UNREACHABLE_URL)
    assert window.title() == "On staging — Staging — Profile Editor"
    window.wait_preview(UNREACHABLE_URL)

    # A preset made for an environment that is not here says so and stays where it is.
    window.new_preset()
    window.choose_environment("Local")
    stray = window.presets_dir() / "stray.json"
    stray.write_text(
        '{"schema_version": 1, "name": "Stray", "environment": "Gone", "recipient_id": "x"}',
        encoding="utf-8",
    )
    window.presets().refresh()
    window.presets().select_path(stray)
    window.presets().open_selected()
    assert dialog_stub.last().kind == "inform"
    assert "Gone" in dialog_stub.last().words()
    band_shows(window, "Local", "#2e7d32", sandbox.url)
    assert window.recipient() == "x"


# -- keys -----------------------------------------------------------------------------------


def test_without_a_keychain_the_window_says_keys_stay_in_memory(
    qtbot: QtBot, window: WindowDriver, sandbox: SandboxServer, tmp_path: Path
) -> None:
    label = window.key_notice()
    qtbot.waitUntil(label.isVisible)  # the keychain is opened off the UI thread
    assert "kept in memory" in label.full_text()
    assert not window.keychain().persistent

    # A key typed for a stored environment lives in this session only.
    window.choose_environment("EU")
    assert window.key() == ""
    window.type_key("pk_eu_TYPEDKEY12345")
    assert window.key_source() == "this session"
    window.choose_environment("Custom")
    assert window.key() == sandbox.key
    window.choose_environment("EU")
    assert window.key() == "pk_eu_TYPEDKEY12345"
    window.close()
    assert files_containing(tmp_path, "pk_eu_TYPEDKEY12345") == []


def test_with_a_keychain_a_stored_key_is_used_after_switching(
    qtbot: QtBot,
    make_window: MakeWindow,
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
    assert window.keychain().persistent
    assert not window.key_notice().isVisible()
    assert window.key() == ""

    window.keychain().set("Local", sandbox.key)
    window.choose_environment("Staging")
    window.choose_environment("Local")
    assert window.key() == sandbox.key
    assert window.key_source() == "keychain"
    window.fill(recipient="ada", profile='{"via": "keychain"}')
    assert window.send().ok
    assert sandbox.get_profile("ada") == {"via": "keychain"}
    assert sandbox.key not in window.preview_text()

    # The key outlives the window: a new one on the same keychain starts with it.
    window.close()
    again = make_window(sandbox.url, None, keyring_backend=plaintext_keyring(keyring_file))
    assert again.environment_shown() == "Local"
    # The keychain is read off the UI thread at start-up.
    qtbot.waitUntil(lambda: again.key() == sandbox.key)
    assert keyring_file.is_file()
    assert files_containing(tmp_path / "data", sandbox.key) == []


def test_environment_variables_make_an_environment_of_their_own(
    make_window: MakeWindow,
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
    assert window.environment_names() == ["Environment variables", "Production", "EU"]
    band_shows(window, "Environment variables", env.color, sandbox.url)
    assert window.key() == sandbox.key
    window.fill(recipient="ada", profile='{"from": "env"}')
    assert window.send().ok
    assert sandbox.get_profile("ada") == {"from": "env"}

    # It is not written to the environments file: it comes from the process each time.
    window.choose_environment("Production")
    window.close()
    assert not (tmp_path / "data" / "environments.json").exists()
    assert files_containing(tmp_path, sandbox.key) == []


def test_the_environments_button_is_on_the_band(window: WindowDriver) -> None:
    button = window.find(QToolButton, "environmentsButton")
    assert button is not None and button.isVisible()
    assert window.environment_bar().isAncestorOf(button)


# -- settings -------------------------------------------------------------------------------


def test_geometry_environment_and_preset_are_restored_on_start(
    qtbot: QtBot,
    make_window: MakeWindow,
    sandbox: SandboxServer,
    dialog_stub: DialogStub,
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
    qtbot.waitUntil(lambda: first.size() == (760, 610))
    initial = first.side_splitter().sizes()
    total = sum(initial)
    first.side_splitter().setSizes([250, total - 250])
    side = first.side_splitter().sizes()
    assert side == [250, total - 250] != initial
    first.choose_environment("Staging")
    first.fill(recipient="ada", profile='{"a": 1}')
    first.set_note("restored")
    dialog_stub.answer("ask_text", "Last one")
    first.save()
    assert first.close()
    assert dialog_stub.kinds() == ["ask_text"]  # clean: closing asked nothing
    assert (tmp_path / "data" / "settings.ini").is_file()

    second = make_window(sandbox.url, None)
    assert second.size() == (760, 610)
    assert second.side_splitter().sizes() == side
    band_shows(second, "Staging", STAGING_COLOR, UNREACHABLE_URL)
    assert second.title() == "Last one — Staging — Profile Editor"
    assert second.recipient() == "ada"
    assert second.note() == "restored"
    assert second.profile() == {"a": 1}
    assert second.open_preset_path() == (tmp_path / "data" / "presets" / "Last one.json")
    assert second.presets().selected_entry() is not None
    assert not second.is_dirty()

    # Without a preset, the last environment alone comes back (the URL given says "Local").
    second.new_preset()
    second.choose_environment("Other")
    second.close()
    third = make_window(sandbox.url, None)
    band_shows(third, "Other", "#6a1b9a", "https://other.invalid")
    assert third.title().startswith("Untitled")
    assert third.recipient() == ""


def test_settings_stay_inside_the_data_folder(
    window: WindowDriver, dialog_stub: DialogStub, tmp_path: Path
) -> None:
    window.set_recipient("ada")
    dialog_stub.answer("ask_text", "Anything")
    window.save()
    window.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    written = sorted(str(p.relative_to(tmp_path / "data")) for p in (tmp_path / "data").rglob("*"))
    assert "settings.ini" in written and "presets/Anything.json" in written


@pytest.mark.parametrize("gone", ["preset", "environment"])
def test_a_missing_last_preset_or_environment_is_skipped(
    make_window: MakeWindow,
    sandbox: SandboxServer,
    dialog_stub: DialogStub,
    tmp_path: Path,
    gone: str,
) -> None:
    write_environments(
        tmp_path,
        Environment(name="Staging", base_url=UNREACHABLE_URL, color=STAGING_COLOR),
        Environment(name="Local", base_url=sandbox.url, color="#2e7d32"),
    )
    first = make_window(sandbox.url, None)
    first.choose_environment("Staging")
    first.set_recipient("ada")
    dialog_stub.answer("ask_text", "Doomed")
    first.save()
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
        assert second.title().startswith("Untitled")
    else:
        band_shows(second, "Local", "#2e7d32", sandbox.url)
        # The preset opens; its environment is gone, which is said, not hidden.
        assert second.recipient() == "ada"
        assert dialog_stub.last().kind == "inform" and "Staging" in dialog_stub.last().words()


@pytest.mark.parametrize("saved_in", ["Custom", "EU"])
def test_a_target_given_at_start_is_not_replaced_by_the_last_preset(
    make_window: MakeWindow,
    sandbox: SandboxServer,
    dialog_stub: DialogStub,
    saved_in: str,
) -> None:
    first = make_window(sandbox.url, sandbox.key)
    first.choose_environment(saved_in)
    first.set_recipient("ada")
    dialog_stub.answer("ask_text", "Remembered")
    first.save()
    assert first.close()

    # Started again with a URL and key (command line, env vars, --sandbox): that target wins.
    second = make_window(sandbox.url, sandbox.key)
    band_shows(second, "Custom", "#455a64", sandbox.url)
    assert second.key() == sandbox.key
    if saved_in == "Custom":
        # The preset belongs to this very target: it comes back.
        assert second.title() == "Remembered — Custom — Profile Editor"
        assert second.recipient() == "ada"
    else:
        assert second.title().startswith("Untitled")
        assert second.recipient() == ""
