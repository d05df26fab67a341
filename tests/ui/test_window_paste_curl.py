"""Paste cURL in the real window: the action (Ctrl+Shift+V), the recipient field, keys from an
Authorization header (in the field, never on disk), environments, and commands it refuses."""

from __future__ import annotations

from pathlib import Path

from driver import MakeWindow, WindowDriver  # type: ignore[import-not-found]
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer
from profile_editor.ui.common import dialogs

SEED_DIR = Path("/work/shared/seed")
SEED_RID = "0460766e-8463-4905-ae98-b72c7aef41d6"
PASTED_KEY = "sk-pasted-3c1e9a7b5d2f4860b1a9c7e5d3f2a104"


def seed_example() -> str:
    """The API reference's cURL example, exactly as the seed page holds it."""
    [page] = sorted(SEED_DIR.glob("*.txt"))
    lines = page.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("curl --request POST"))
    data = next(i for i in range(start, len(lines)) if lines[i].startswith("--data '"))
    end = next(i for i in range(data + 1, len(lines)) if lines[i] == "'")
    return "\n".join(lines[start : end + 1])


def files_containing(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_the_seed_example_pasted_by_the_action_becomes_the_draft(window: WindowDriver) -> None:
    window.fill(recipient="someone", profile={"old": True})
    window.set_profile_modified(False)

    window.paste_curl(seed_example())

    assert window.environment_shown() == "Production"  # api.courier.com
    assert window.recipient() == SEED_RID
    assert window.method() == "POST"
    assert window.profile() == {"email": "user@example.com", "phone_number": "555-555-5555"}
    assert window.profile_modified()
    assert window.status_state() == "success"
    assert f"“{SEED_RID}” in Production" in window.status()


def test_a_command_pasted_into_the_recipient_field_is_loaded_with_its_key(
    window: WindowDriver, sandbox: SandboxServer, tmp_path: Path, qtbot: QtBot
) -> None:
    command = (
        f"curl -X PUT '{sandbox.url}/profiles/ada%2Fsmith' \\\n"
        f"  -H 'Authorization: Bearer {PASTED_KEY}' \\\n"
        '  -H "Content-Type: application/json" \\\n'
        '  --data-raw \'{"profile": {"name": "Ada"}}\''
    )
    window.set_recipient("before")

    window.paste_into_recipient(command)

    assert window.recipient() == "ada/smith"  # percent-decoded, not the command
    assert window.method() == "PUT"
    assert window.profile() == {"name": "Ada"}
    assert window.key() == PASTED_KEY
    assert window.key_source() == "this session"
    assert "for this session only" in window.status()
    assert "not saved" in window.status()

    # The window's unsaved draft (written within a second of a change) holds no key.
    drafts = tmp_path / "data" / "drafts"
    qtbot.waitUntil(
        lambda: any("Ada" in p.read_text(encoding="utf-8") for p in drafts.glob("*.json")),
        timeout=5000,
    )
    assert files_containing(tmp_path, PASTED_KEY) == []

    # Used, saved and closed: the key is nowhere on disk.
    window.save_preset("pasted")
    assert window.send().status_code == 401  # the sandbox knows only its own key
    assert window.close()
    assert files_containing(tmp_path, PASTED_KEY) == []


def test_typing_curl_in_the_recipient_field_is_just_typing(window: WindowDriver) -> None:
    window.type_recipient("curl")
    assert window.recipient() == "curl"
    assert "Paste cURL" not in window.status()


def test_a_command_for_no_known_environment_changes_nothing(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.fill(recipient="mine", profile={"keep": 1})
    env, key = window.environment_shown(), window.key()

    window.paste_curl(
        "curl https://look-alike.example/profiles/ada -H 'Authorization: Bearer sk-other'"
        ' -d \'{"profile": {"x": 1}}\''
    )

    assert window.status().startswith("Paste cURL: The URL goes to https://look-alike.example")
    assert "Add it under Environments" in window.status()
    assert "Nothing was changed." in window.status()
    assert window.status_state() == "error"
    assert (window.recipient(), window.profile()) == ("mine", {"keep": 1})
    assert (window.environment_shown(), window.key()) == (env, key)


def test_commands_it_cannot_map_leave_the_editor_untouched(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.fill(recipient="mine", profile={"keep": 1})
    refused = {
        f"curl -F 'profile=@x.json' {sandbox.url}/profiles/ada": "form data",
        f"curl {sandbox.url}/users/ada": "not /profiles/{id}",
        f"curl -X POST {sandbox.url}/profiles/ada -d '[1, 2]'": "not a JSON object",
        "echo hello": "not a curl command",
    }
    for command, why in refused.items():
        window.paste_curl(command)
        assert why in window.status(), command
        assert (window.recipient(), window.profile()) == ("mine", {"keep": 1})


def test_a_patch_is_refused_while_the_method_list_has_no_patch(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    if any(label.startswith("Patch") for label in window.method_labels()):
        return  # the editor takes patches: nothing to refuse
    window.fill(recipient="mine", profile={"keep": 1})
    window.paste_curl(
        f"curl -X PATCH {sandbox.url}/profiles/ada "
        '-d \'{"patch": [{"op": "add", "path": "/a", "value": 1}]}\''
    )
    assert "PATCH" in window.status() and "not loaded" in window.status()
    assert (window.recipient(), window.profile()) == ("mine", {"keep": 1})


def test_unsaved_edits_are_protected_as_when_opening_a_preset(
    window: WindowDriver, dialog_stub: DialogStub
) -> None:
    window.fill(recipient="mine", profile={"keep": 1})
    window.save_preset("mine")
    window.set_json_text('{"keep": 2}')
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.CANCEL)

    window.paste_curl(seed_example())

    assert dialog_stub.last().kind == "ask_save_discard_cancel"
    assert window.profile() == {"keep": 2}
    assert window.recipient() == "mine"
    assert "kept your unsaved edits" in window.status()
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.DISCARD)  # so it may close


def test_a_get_selects_the_environment_and_loads(
    make_window: MakeWindow, sandbox: SandboxServer, tmp_path: Path
) -> None:
    from profile_editor.storage.environments import Environment, EnvironmentStore

    EnvironmentStore(tmp_path / "data" / "environments.json").save(
        [
            Environment(name="Far", base_url="https://far.invalid", color="#6a1b9a"),
            Environment(name="Local", base_url=sandbox.url + "/", color="#2e7d32"),
        ]
    )
    sandbox.put_profile("ada", {"name": "Ada"})
    window = make_window("https://far.invalid", None)
    window.choose_environment("Far")

    window.paste_curl(
        f"curl {sandbox.url}/profiles/ada -H 'Accept: application/json'"
        f" -H 'Authorization: Bearer {sandbox.key}'"
    )
    window.wait_status("Loaded")

    assert window.environment_shown() == "Local"
    assert window.recipient() == "ada"
    assert window.profile() == {"name": "Ada"}


def test_copy_as_curl_then_paste_curl_gives_back_the_same_request(window: WindowDriver) -> None:
    profile = {"name": "Zoë", "custom": {"quote": 'it\'s "fine"', "n": [1, 2.5, None]}}
    window.fill(recipient="a/b c?d", profile=profile, method="PUT")
    command = window.copy_curl()
    key = window.key()
    window.fill(recipient="other", profile={"x": 1}, method="POST")

    window.paste_curl(command)

    assert (window.recipient(), window.method(), window.profile()) == ("a/b c?d", "PUT", profile)
    assert window.key() == key  # the command reads $COURIER_API_KEY: the field stays
    assert "$COURIER_API_KEY" in window.status()


def test_the_shortcut_pastes_a_command_even_while_editing_the_json(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.fill(recipient="mine", profile={"keep": 1})
    window.set_profile_modified(False)

    window.press_paste_curl_shortcut(
        f'curl -X POST {sandbox.url}/profiles/bob -d \'{{"profile": {{"plan": "pro"}}}}\''
    )

    assert (window.recipient(), window.profile()) == ("bob", {"plan": "pro"})
    assert "curl" not in window.json_text()
