"""The Preferences, Devices and Tenants tabs in the real window, against the real sandbox:
the whole recipient on Load, staged preference changes applied and verified, REQUIRED refused
before sending, tokens and tenants added and removed, protected environments, history, and an
error in one tab that leaves the others (and the profile) alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from driver import MakeWindow, WindowDriver  # type: ignore[import-not-found]
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.seed import parse_seed
from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage.environments import Environment, EnvironmentStore
from profile_editor.ui.common import dialogs
from profile_editor.ui.history.model import METHOD_COLUMN


def test_nothing_of_the_three_tabs_is_imported_before_the_first_paint(
    tmp_path: Path, child_env: dict[str, str]
) -> None:
    # In a fresh interpreter: in this one another test has imported them already.
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from profile_editor.app import create_main_window\n"
        "app = QApplication([])\n"
        "window = create_main_window(base_url='http://127.0.0.1:9', auth_token=None,\n"
        "                            data_dir=Path(sys.argv[1]))\n"
        "window.show()\n"
        "for _ in range(20):\n"
        "    app.processEvents()\n"
        "mine = sorted(m for m in sys.modules if m.startswith(('profile_editor.ui.users',\n"
        "              'profile_editor.core.users')))\n"
        "print('imported:', mine)\n"
        "from PySide6.QtWidgets import QTabWidget, QWidget\n"
        "tabs = window.findChild(QTabWidget, 'outputTabs')\n"
        "tabs.setCurrentWidget(window.findChild(QWidget, 'tokensPage'))\n"
        "print('after:', 'profile_editor.ui.users.controller' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=child_env,
    )
    assert result.returncode == 0, result.stderr
    assert "imported: []" in result.stdout, result.stdout
    assert "after: True" in result.stdout  # built when first shown


def test_a_tab_is_built_when_first_shown(window: WindowDriver) -> None:
    window.show_user_tab("tokens")
    assert "Load a recipient" in window.user_tab_summary("tokens")


# -- against a seeded sandbox ----------------------------------------------------------------

RID = "ada/users test"  # a slash and a space: the ID must travel as one encoded segment
TOPICS = [
    {
        "topic_id": "weekly-digest",
        "topic_name": "Weekly digest",
        "section_id": "news",
        "section_name": "News",
        "default_status": "OPTED_IN",
    },
    {
        "topic_id": "product-updates",
        "topic_name": "Product updates",
        "section_id": "news",
        "section_name": "News",
        "default_status": "OPTED_IN",
    },
    {
        "topic_id": "security-alerts",
        "topic_name": "Security alerts",
        "section_id": "account",
        "section_name": "Account",
        "default_status": "REQUIRED",
    },
]


def seed(sandbox: SandboxServer, rid: str = RID) -> None:
    """A recipient with something in every tab."""
    seed_sandbox(
        sandbox,
        {
            "topics": TOPICS,
            "profiles": {rid: {"email": "ada@example.com"}},
            "lists": {rid: ["newsletter"]},
            "preferences": {rid: [{"topic_id": "weekly-digest", "status": "OPTED_IN"}]},
            "tokens": {
                rid: [
                    {
                        "token": "fcm-token-0123456789abcdef",
                        "provider_key": "firebase-fcm",
                        "device": {"platform": "android", "app_id": "com.example"},
                        "expiry_date": "2999-01-01",
                    }
                ]
            },
            "tenants": {
                rid: [
                    {"tenant_id": "acme", "profile": {"email": "ada@acme.example"}},
                    {"tenant_id": "globex"},
                ]
            },
        },
    )


def seed_sandbox(sandbox: SandboxServer, document: dict[str, Any]) -> None:
    sandbox.apply_seed(parse_seed(document))


def users_requests(sandbox: SandboxServer, method: str, part: str) -> list[Any]:
    return [r for r in sandbox.requests() if r.method == method and f"/{part}" in r.path]


def recorded(window: WindowDriver, qtbot: QtBot, resource: str) -> list[dict[str, Any]]:
    """The history entries of ``resource``, once there is one (loads are recorded too)."""

    def entries() -> list[dict[str, Any]]:
        return [e for e in window.history_lines() if e.get("resource") == resource]

    qtbot.waitUntil(lambda: bool(entries()), timeout=5000)
    return entries()


def test_load_shows_the_whole_recipient_and_a_summary_line(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed(sandbox)
    window.show_user_tab("preferences")
    window.load_whole_recipient(RID)

    assert window.profile() == {"email": "ada@example.com"}
    summary = window.recipient_summary()
    assert summary.startswith("1 list · 1 topic overridden · ")
    assert "1 device, expires" in summary
    assert summary.endswith("2 tenants")
    rows = window.preferences_rows()
    assert rows == [("News (1)", "Weekly digest", "OPTED_IN", "OPTED_IN", "—", "—")]
    window.show_user_tab("tokens")
    [token] = window.tokens_rows()
    assert token[:4] == ("fcm-…cdef", "firebase-fcm", "android", "com.example")
    window.show_user_tab("tenants")
    assert [r[0] for r in window.tenants_rows()] == ["acme", "globex"]
    # Each resource read once, the three at the same time as the lists.
    assert len(users_requests(sandbox, "GET", "preferences")) == 1
    assert len(users_requests(sandbox, "GET", "tokens")) == 1


def test_opt_out_is_previewed_applied_verified_and_recorded(
    window: WindowDriver, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    seed(sandbox)
    window.show_user_tab("preferences")
    window.load_whole_recipient(RID)

    window.stage_preference("Weekly digest", "OPTED_OUT")
    assert window.preferences_changes() == "Weekly digest: OPTED_IN → OPTED_OUT"
    assert window.can_apply_preferences()
    assert users_requests(sandbox, "PUT", "preferences") == []  # staged, nothing sent
    window.apply_preferences()

    assert "stored as asked" in window.status(), window.status()
    assert "stored as asked" in window.user_tab_result("preferences")
    assert "stored as asked" in window.status()
    assert window.preference_status("Weekly digest") == "OPTED_OUT"
    assert window.preferences_changes() == ""  # applied: nothing staged any more
    [put] = users_requests(sandbox, "PUT", "preferences")
    assert put.path.startswith("/users/ada%2Fusers%20test/preferences/weekly-digest")
    assert "(1 opted out)" in window.recipient_summary()
    [entry] = recorded(window, qtbot, "preferences")
    assert entry["method"] == "PUT"
    assert entry["profile_before"]["status"] == "OPTED_IN"
    assert entry["profile_after"]["status"] == "OPTED_OUT"
    assert entry["base_url"] == sandbox.url
    # And the Load, and the Lists tab's read after it.
    assert window.history_cells(METHOD_COLUMN) == ["PUT preferences", "Read lists", "GET"]
    assert sandbox.key not in json.dumps(entry)


def test_opting_out_of_a_required_topic_is_refused_before_sending(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed(sandbox)
    window.show_user_tab("preferences")
    window.load_whole_recipient(RID)

    window.show_topic("security-alerts")  # not overridden, so not listed until asked for
    assert window.preference_status("Security alerts") == "REQUIRED"
    window.stage_preference("Security alerts", "OPTED_OUT")
    assert "Security alerts is REQUIRED" in window.preferences_changes()
    window.apply_preferences(wait=False)

    assert "REQUIRED" in window.status()
    assert "Nothing was sent" in window.status()
    assert window.status_state() == "error"
    assert users_requests(sandbox, "PUT", "preferences") == []
    assert window.preference_status("Security alerts") == "OPTED_OUT"  # the edit stays


def test_reset_to_default_deletes_the_override(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed(sandbox)
    window.show_user_tab("preferences")
    window.load_whole_recipient(RID)

    window.reset_preference("Weekly digest")

    assert len(users_requests(sandbox, "DELETE", "preferences")) == 1
    assert "stored as asked" in window.user_tab_result("preferences")
    assert "Weekly digest" not in [r[1] for r in window.preferences_rows()]


def test_add_and_delete_a_token_asking_before_the_delete(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    seed(sandbox)
    window.show_user_tab("tokens")
    window.load_whole_recipient(RID)

    window.add_token(
        {
            "provider_key": "apn",
            "token": "apn-token-aaaabbbbccccdddd",
            "platform": "ios",
            "app_id": "com.example.ios",
            "device_id": "",
            "model": "",
            "expiry": "never",
        }
    )
    assert "stored as asked" in window.user_tab_result("tokens")
    rows = window.tokens_rows()
    assert ("apn-…dddd", "apn", "ios", "com.example.ios", "never") in [r[:5] for r in rows]
    [put] = users_requests(sandbox, "PUT", "tokens")
    assert json.loads(put.body)["expiry_date"] is False

    row = next(i for i, r in enumerate(rows) if r[0] == "apn-…dddd")
    dialog_stub.answer("confirm", False)
    window.delete_token(row, wait=False)
    assert "cancelled at the confirmation" in window.status()
    assert users_requests(sandbox, "DELETE", "tokens") == []

    dialog_stub.answer("confirm", True)
    window.delete_token(row)
    assert "apn-…dddd" in dialog_stub.last().text
    assert len(users_requests(sandbox, "DELETE", "tokens")) == 1
    assert "stored as asked" in window.user_tab_result("tokens")
    assert [r[0] for r in window.tokens_rows()] == ["fcm-…cdef"]


def test_a_bad_expiry_is_refused_naming_the_field_and_the_form_keeps_what_was_typed(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    seed(sandbox)
    window.show_user_tab("tokens")
    window.load_whole_recipient(RID)
    typed = {
        "provider_key": "expo",
        "token": "expo-token-1",
        "platform": "",
        "app_id": "",
        "device_id": "",
        "model": "",
        "expiry": "next tuesday",
    }
    window.add_token(typed, wait=False)

    assert "Expiry" in window.status() and "next tuesday" in window.status()
    assert users_requests(sandbox, "PUT", "tokens") == []
    dialog_stub.answer("ask_form", None)
    window.add_token(None, wait=False)  # opened again: what was typed is offered back
    fields = {f.name: f.value for f in dialog_stub.last().args[2]}
    assert fields["token"] == "expo-token-1" and fields["expiry"] == "next tuesday"


def test_change_a_tokens_status_by_patch(window: WindowDriver, sandbox: SandboxServer) -> None:
    seed(sandbox)
    window.show_user_tab("tokens")
    window.load_whole_recipient(RID)

    window.patch_token(0, {"status": "revoked", "expiry": ""})

    [patch] = users_requests(sandbox, "PATCH", "tokens")
    assert json.loads(patch.body) == {
        "patch": [{"op": "replace", "path": "/status", "value": "revoked"}]
    }
    assert window.tokens_rows()[0][5] == "revoked"
    assert "stored as asked" in window.user_tab_result("tokens")


def test_add_a_tenant_with_a_profile_and_remove_one(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    seed(sandbox)
    window.show_user_tab("tenants")
    window.load_whole_recipient(RID)

    window.add_tenant({"tenant_id": "initech", "profile": '{"email": "ada@initech.example"}'})
    assert "stored as asked" in window.user_tab_result("tenants")
    assert ("initech", '{"email": "ada@initech.example"}') in window.tenants_rows()
    assert window.recipient_summary().endswith("3 tenants")

    row = [r[0] for r in window.tenants_rows()].index("globex")
    window.remove_tenant(row)
    assert dialog_stub.last().kind == "confirm"
    assert "globex" in dialog_stub.last().text
    assert "globex" not in [r[0] for r in window.tenants_rows()]
    assert "stored as asked" in window.user_tab_result("tenants")


def test_a_tenant_profile_that_is_not_json_is_refused_with_where(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed(sandbox)
    window.show_user_tab("tenants")
    window.load_whole_recipient(RID)
    window.add_tenant({"tenant_id": "initech", "profile": '{"email": '}, wait=False)
    assert "Profile: not valid JSON" in window.status()
    assert "line 1" in window.status()
    assert users_requests(sandbox, "PUT", "tenants") == []


def test_a_403_on_tokens_shows_in_that_tab_only(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed(sandbox)
    sandbox.queue_fault(
        Fault(status=403, method="GET", path_prefix="/users/ada%2Fusers%20test/tokens", times=3)
    )
    window.show_user_tab("tokens")
    window.load_whole_recipient(RID)

    assert window.profile() == {"email": "ada@example.com"}  # the profile is shown
    assert "403" in window.user_tab_summary("tokens")
    assert window.tokens_rows() == []
    assert "devices not read" in window.recipient_summary()
    assert "2 tenants" in window.recipient_summary()
    window.show_user_tab("preferences")
    assert len(window.preferences_rows()) == 1


def test_writes_to_a_protected_environment_ask_first(
    make_window: MakeWindow, sandbox: SandboxServer, dialog_stub: DialogStub, tmp_path: Path
) -> None:
    seed(sandbox)
    EnvironmentStore(tmp_path / "data" / "environments.json").save(
        [Environment(name="Production", base_url=sandbox.url, color="#d64541", protected=True)]
    )
    window = make_window(sandbox.url, sandbox.key)
    window.keychain().set("Production", sandbox.key)
    window.choose_environment("Production")
    window.show_user_tab("tenants")
    window.load_whole_recipient(RID)

    dialog_stub.answer("confirm", False)
    window.add_tenant({"tenant_id": "initech", "profile": ""}, wait=False)

    assert "Production" in dialog_stub.last().text
    assert users_requests(sandbox, "PUT", "tenants") == []
    assert "cancelled at the confirmation" in window.status()


def test_the_tenant_box_scopes_reads_and_writes(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed(sandbox)
    window.show_user_tab("preferences")
    window.load_whole_recipient(RID)
    window.set_preferences_tenant("acme")
    window.reload_user_tab("preferences")
    assert "tenant “acme”" in window.user_tab_summary("preferences")
    assert window.preferences_rows() == []  # nothing overridden in that tenant yet

    [get] = users_requests(sandbox, "GET", "preferences?tenant_id=acme")
    assert get.path.endswith("?tenant_id=acme")


def test_a_topic_not_overridden_can_be_shown_and_opted_out(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed(sandbox)
    window.show_user_tab("preferences")
    window.load_whole_recipient(RID)
    assert "Product updates" not in [r[1] for r in window.preferences_rows()]

    window.show_topic("product-updates")
    assert window.preference_status("Product updates") == "OPTED_IN"  # its default
    window.stage_preference("Product updates", "OPTED_OUT")
    window.apply_preferences()

    assert "stored as asked" in window.user_tab_result("preferences")
    assert window.preference_status("Product updates") == "OPTED_OUT"


def test_a_load_leaves_the_user_on_the_recipient_tab_they_were_reading(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed(sandbox)
    window.show_user_tab("tokens")
    window.load_whole_recipient(RID)
    assert window.current_output_tab() == "Devices"


def test_a_preset_keeps_staged_preference_changes_and_stages_them_again(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed(sandbox)
    window.show_user_tab("preferences")
    window.load_whole_recipient(RID)
    window.stage_preference("Weekly digest", "OPTED_OUT")
    path = window.save_preset("Opt out of the digest")
    assert json.loads(path.read_text(encoding="utf-8"))["preferences"] == {
        "weekly-digest": "OPTED_OUT"
    }
    window.new_preset()
    window.load_whole_recipient(RID)
    assert window.preferences_changes() == ""

    window.open_preset(path)
    window.load_whole_recipient()
    assert window.preferences_changes() == "Weekly digest: OPTED_IN → OPTED_OUT"
    assert users_requests(sandbox, "PUT", "preferences") == []  # staged, not sent


def test_a_write_cut_short_by_closing_is_still_recorded(
    window: WindowDriver, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    seed(sandbox)
    window.show_user_tab("tenants")
    window.load_whole_recipient(RID)
    sandbox.queue_fault(Fault(status=204, delay=1.5, method="PUT", path_prefix="/users/"))
    window.add_tenant({"tenant_id": "initech", "profile": ""}, wait=False)
    qtbot.waitUntil(lambda: len(users_requests(sandbox, "PUT", "tenants")) == 1, timeout=5000)
    window.close()

    [entry] = [e for e in window.history_lines() if e.get("resource") == "tenants"]
    assert entry["outcome"] == "cancelled"


# -- the rows shown belong to one recipient: writes go nowhere else --------------------------

OTHER = "bob"


def seed_two(sandbox: SandboxServer) -> None:
    seed(sandbox)
    seed(sandbox, OTHER)


def test_after_typing_another_recipient_the_tabs_are_out_of_date_and_apply_sends_nothing(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed_two(sandbox)
    window.show_user_tab("preferences")
    window.load_whole_recipient(RID)
    window.stage_preference("Weekly digest", "OPTED_OUT")
    for resource in ("tokens", "tenants"):
        window.show_user_tab(resource)  # built, so they can be marked
    window.show_user_tab("preferences")
    assert not window.user_tab_out_of_date("preferences")

    window.set_recipient(OTHER)
    for resource in ("preferences", "tokens", "tenants"):
        assert window.user_tab_out_of_date(resource), resource
        summary = window.user_tab_summary(resource)
        assert summary.startswith("Out of date:") and f"“{RID}”" in summary, summary
        assert f"“{OTHER}”" in summary
    assert window.recipient_summary().startswith(f"Out of date, “{RID}”: 1 list")
    sandbox.clear_requests()
    window.apply_preferences(wait=False)

    assert sandbox.requests() == []  # nothing reached bob, nor ada
    status = window.status()
    assert status.startswith("Apply preferences: not sent"), status
    assert f"those of “{RID}”" in status and f"now “{OTHER}”" in status
    assert window.status_state() == "error"
    assert window.preferences_changes() == "Weekly digest: OPTED_IN → OPTED_OUT"  # kept

    window.set_recipient(RID)  # back: current again, and Apply goes to ada
    assert not window.user_tab_out_of_date("preferences")
    assert window.recipient_summary().startswith("1 list")
    window.apply_preferences()
    [put] = users_requests(sandbox, "PUT", "preferences")
    assert put.path.startswith("/users/ada%2Fusers%20test/")


def test_token_and_tenant_writes_are_refused_for_another_recipient(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    seed_two(sandbox)
    window.show_user_tab("tokens")
    window.load_whole_recipient(RID)
    window.show_user_tab("tenants")
    window.set_recipient(OTHER)
    sandbox.clear_requests()
    dialog_stub.answer("confirm", True)
    token = {"provider_key": "apn", "token": "apn-1", "expiry": "never"}
    writes = [
        ("Add token", lambda: window.add_token(token, wait=False)),
        ("Change token", lambda: window.patch_token(0, {"status": "revoked"}, wait=False)),
        ("Delete token", lambda: window.delete_token(0, wait=False)),
        ("Add tenant", lambda: window.add_tenant({"tenant_id": "initech"}, wait=False)),
        ("Remove tenant", lambda: window.remove_tenant(0, wait=False)),
        ("Reset to default", lambda: window.reset_preference_no_wait("Weekly digest")),
    ]
    window.show_user_tab("preferences")
    asked = len(dialog_stub.questions)
    for verb, write in writes:
        write()
        assert window.status().startswith(f"{verb}: not sent"), window.status()
        assert f"“{OTHER}”" in window.status()
    assert sandbox.requests() == []
    assert len(dialog_stub.questions) == asked  # refused before any form or question


def test_another_environment_marks_the_tabs_and_refuses_writes(
    make_window: MakeWindow, sandbox: SandboxServer, tmp_path: Path
) -> None:
    seed(sandbox)
    EnvironmentStore(tmp_path / "data" / "environments.json").save(
        [
            Environment(name="Local", base_url=sandbox.url),
            Environment(name="Elsewhere", base_url="http://127.0.0.1:9"),
        ]
    )
    window = make_window(sandbox.url, sandbox.key)
    for name in ("Local", "Elsewhere"):
        window.keychain().set(name, sandbox.key)
    window.choose_environment("Local")
    window.show_user_tab("tenants")
    window.load_whole_recipient(RID)

    window.choose_environment("Elsewhere")
    assert window.user_tab_out_of_date("tenants")
    assert "read in Local" in window.user_tab_summary("tenants")
    assert "now Elsewhere" in window.user_tab_summary("tenants")
    sandbox.clear_requests()
    window.add_tenant({"tenant_id": "initech", "profile": ""}, wait=False)
    assert window.status().startswith("Add tenant: not sent"), window.status()
    assert "switch back to Local" in window.status()
    assert sandbox.requests() == []

    window.choose_environment("Local")
    assert not window.user_tab_out_of_date("tenants")


def test_a_changed_tenant_box_refuses_apply_until_read_there(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed(sandbox)
    window.show_user_tab("preferences")
    window.load_whole_recipient(RID)
    window.stage_preference("Weekly digest", "OPTED_OUT")
    window.set_preferences_tenant("acme")
    assert window.user_tab_out_of_date("preferences")
    sandbox.clear_requests()
    window.apply_preferences(wait=False)
    assert "tenant box now says “acme”" in window.status(), window.status()
    assert sandbox.requests() == []
    window.set_preferences_tenant("")
    assert not window.user_tab_out_of_date("preferences")


def test_rows_of_another_recipient_do_not_inherit_staged_changes(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    seed_two(sandbox)
    window.show_user_tab("preferences")
    window.load_whole_recipient(RID)
    window.stage_preference("Weekly digest", "OPTED_OUT")
    window.set_recipient(OTHER)
    window.reload_user_tab("preferences")  # bob's rows, read on their own

    assert not window.user_tab_out_of_date("preferences")
    assert window.preferences_changes() == ""
    assert "staged for the recipient shown before were dropped" in window.user_tab_summary(
        "preferences"
    )
    # The summary line is about bob now, and says so without mixing in ada's parts.
    assert window.recipient_summary().startswith("lists not read · 1 topic overridden")


# -- Cancel ----------------------------------------------------------------------------------


def test_cancel_stops_the_reads_after_a_load(
    window: WindowDriver, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    seed(sandbox)
    for resource in ("preferences", "tenants", "tokens"):
        window.show_user_tab(resource)
    # Each of the three reads held for 3 s: Cancel must end them well before.
    sandbox.queue_fault(Fault(status=200, delay=3, method="GET", path_prefix="/users/", times=3))
    window.set_recipient(RID)
    window.click_load()
    cancel = window.find(QPushButton, "cancelButton")
    qtbot.waitUntil(lambda: window.widget._users is not None and cancel.isEnabled(), timeout=3000)
    with qtbot.waitSignal(window.widget.users().busyChanged, timeout=2000) as blocker:
        cancel.click()
    assert blocker.args == [False]
    for resource in ("preferences", "tokens", "tenants"):
        assert "cancelled" in window.user_tab_summary(resource).lower(), resource
    qtbot.waitUntil(lambda: not cancel.isEnabled(), timeout=2000)


def test_cancel_stops_a_write_and_it_is_recorded(
    window: WindowDriver, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    seed(sandbox)
    window.show_user_tab("tenants")
    window.load_whole_recipient(RID)
    sandbox.queue_fault(Fault(status=204, delay=3, method="PUT", path_prefix="/users/"))
    window.add_tenant({"tenant_id": "initech", "profile": ""}, wait=False)
    cancel = window.find(QPushButton, "cancelButton")
    qtbot.waitUntil(cancel.isEnabled, timeout=3000)
    with qtbot.waitSignal(window.widget.users().finished, timeout=2000):
        window.press_cancel_shortcut()

    assert "cancelled" in window.status().lower(), window.status()
    [entry] = recorded(window, qtbot, "tenants")
    assert entry["outcome"] == "cancelled"
    assert not cancel.isEnabled()


# -- staged preference changes are part of the open preset -----------------------------------


def test_staged_changes_mark_the_preset_modified_and_unstaging_clears_it(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    seed(sandbox)
    window.show_user_tab("preferences")
    window.load_whole_recipient(RID)
    window.save_preset("Ada")
    assert not window.title().startswith("*")

    window.stage_preference("Weekly digest", "OPTED_OUT")
    assert window.title().startswith("*"), window.title()
    window.stage_preference("Weekly digest", "OPTED_IN")  # back to what is stored
    assert not window.title().startswith("*"), window.title()

    window.stage_preference("Weekly digest", "OPTED_OUT")
    dialog_stub.answer("ask_save_discard_cancel", dialogs.Choice.CANCEL)
    window.new_preset()
    assert dialog_stub.last().kind == "ask_save_discard_cancel"  # the unsaved prompt
    window.discard_preferences()
    assert not window.title().startswith("*"), window.title()

    window.stage_preference("Weekly digest", "OPTED_OUT")
    window.apply_preferences()  # stored, as a send: nothing left unsaved
    assert not window.title().startswith("*"), window.title()


# -- the summary line --------------------------------------------------------------------------


def test_the_summary_line_stays_one_line_at_the_default_size(
    window: WindowDriver, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    from profile_editor.sandbox.demo import DEMO_RECIPIENT, demo_seed

    sandbox.apply_seed(demo_seed())
    window.resize(1280, 860)
    window.load_whole_recipient(DEMO_RECIPIENT)

    label = window.find(QLabel, "recipientSummaryLabel")
    full = label.toolTip()
    assert full.endswith("2 tenants") and "next expires in" in full
    assert label.toolTip() == full
    qtbot.waitUntil(lambda: label.height() < 2 * label.fontMetrics().height())
    assert label.text().endswith("…") or label.text() == full
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
