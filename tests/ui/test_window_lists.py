"""The Lists tab in the real window, against the real sandbox: read after Load (every page),
Subscribe, Unsubscribe all, protected environments, history and API errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from driver import MakeWindow, WindowDriver  # type: ignore[import-not-found]
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.sandbox.models import Fault
from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage.environments import Environment, EnvironmentStore
from profile_editor.storage.history import entry_to_line
from profile_editor.storage.history_db import HistoryStore
from profile_editor.ui.history.model import METHOD_COLUMN, RECIPIENT_COLUMN

RID = "ada/lists test"  # a slash and a space: the ID must travel as one encoded segment


def subscribe_directly(sandbox: SandboxServer, rid: str, *items: dict[str, Any]) -> None:
    """Subscriptions made before the window looks, straight through the API."""
    response = httpx.post(
        f"{sandbox.url}/profiles/{quote(rid, safe='')}/lists",
        json={"lists": list(items)},
        headers={"Authorization": f"Bearer {sandbox.key}"},
    )
    assert response.status_code == 200, response.text


def list_requests(sandbox: SandboxServer, method: str) -> list[Any]:
    return [r for r in sandbox.requests() if r.method == method and "/lists" in r.path]


def log_lines(window: WindowDriver, qtbot: QtBot, count: int) -> list[dict[str, Any]]:
    path = window.history_log().path

    def lines() -> list[dict[str, Any]]:
        if not path.exists():
            return []
        store = HistoryStore(path)
        try:
            return [json.loads(entry_to_line(e)) for e in reversed(store.entries())]
        finally:
            store.close()

    qtbot.waitUntil(lambda: len(lines()) == count, timeout=5000)
    return lines()


# -- reading ---------------------------------------------------------------------------------


def test_load_lists_every_page_of_the_subscriptions(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    items = [{"listId": f"list-{n:02d}"} for n in range(45)]
    items[0] = {
        "listId": "list-00",
        "preferences": {"notifications": {"weekly": {"status": "OPTED_OUT"}}},
    }
    subscribe_directly(sandbox, RID, *items)
    window.show_lists_tab()

    outcome = window.load_with_lists(RID)

    assert outcome.ok
    rows = window.lists_rows()
    assert sorted(row[0] for row in rows) == [f"list-{n:02d}" for n in range(45)]
    assert "45 subscriptions" in window.lists_summary()
    assert "3 pages" in window.lists_summary()  # 20 a page
    assert len(list_requests(sandbox, "GET")) == 3
    first = next(row for row in rows if row[0] == "list-00")
    assert first[3] == "weekly: opted out"
    assert first[2][:2] == "20"  # since when: a date
    assert "has no profile yet" in window.status()  # the Load's own line stays


def test_every_page_read_is_a_row_in_the_history(
    window: WindowDriver, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    subscribe_directly(sandbox, RID, *({"listId": f"list-{n:02d}"} for n in range(45)))
    window.wait_history_loaded()
    assert window.load_with_lists(RID).ok

    lines = log_lines(window, qtbot, 4)  # the profile's load, then three pages of 20
    assert [(x["method"], x["resource"], x["status"], x["outcome"]) for x in lines] == [
        ("GET", "profile", 404, "api_error"),
        ("GET", "lists", 200, "success"),
        ("GET", "lists", 200, "success"),
        ("GET", "lists", 200, "success"),
    ]
    assert all(x["recipient_id"] == RID and x["request_body"] is None for x in lines)
    assert window.history_cells(METHOD_COLUMN)[:3] == ["Read lists"] * 3
    assert sandbox.key not in json.dumps(lines)


def test_a_failed_page_and_a_read_cut_short_by_closing_are_recorded(
    window: WindowDriver, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    subscribe_directly(sandbox, "ada", {"listId": "news"})
    sandbox.queue_fault(Fault(status=500, method="GET", path_prefix="/profiles/ada/lists", times=9))
    assert window.load_with_lists("ada").status_code == 500
    sandbox.queue_fault(Fault(status=200, delay=1.5, method="GET", path_prefix="/profiles/bob"))
    window.set_recipient("bob")
    window.find(QToolButton, "listsReloadButton").click()
    qtbot.waitUntil(
        lambda: any(r.path.startswith("/profiles/bob/lists") for r in sandbox.requests()),
        timeout=5000,
    )

    assert window.close()

    lines = log_lines(window, qtbot, 3)
    assert [(x["recipient_id"], x["resource"], x["status"], x["outcome"]) for x in lines] == [
        ("ada", "profile", 404, "api_error"),  # lists of a recipient without a profile
        ("ada", "lists", 500, "api_error"),  # one row for the page, its retries within it
        ("bob", "lists", None, "cancelled"),
    ]


def test_a_recipient_without_subscriptions_shows_none(window: WindowDriver) -> None:
    window.load_with_lists("nobody-here")
    assert window.lists_rows() == []
    assert "0 subscriptions" in window.lists_summary()


def test_a_list_api_error_is_said_in_the_status_line(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    subscribe_directly(sandbox, "ada", {"listId": "news"})
    sandbox.queue_fault(Fault(status=400, method="GET", path_prefix="/profiles/ada/lists"))

    outcome = window.load_with_lists("ada")

    assert outcome.status_code == 400
    assert "Reading the subscriptions failed: 400 · invalid_request_error" in window.status()
    assert window.status_state() == "error"
    assert window.lists_rows() == []

    sandbox.queue_fault(Fault(status=400, method="POST", path_prefix="/profiles/ada/lists"))
    failed = window.subscribe("weekly")
    assert failed.status_code == 400
    assert window.status().startswith("Subscribe failed: 400 · invalid_request_error")


# -- changing --------------------------------------------------------------------------------


def test_subscribe_sends_once_with_an_idempotency_key_and_reloads(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.load_with_lists(RID)
    assert window.lists_rows() == []

    outcome = window.subscribe("weekly-digest")

    assert outcome.ok
    assert [row[0] for row in window.lists_rows()] == ["weekly-digest"]
    assert window.status().startswith(f"✓ Subscribed “{RID}” to “weekly-digest”")
    [post] = list_requests(sandbox, "POST")
    assert json.loads(post.body) == {"lists": [{"listId": "weekly-digest"}]}
    assert post.headers.get("idempotency-key") or post.headers.get("Idempotency-Key")
    assert post.recipient_id == RID


def test_subscribe_without_a_list_id_or_with_a_bad_recipient_sends_nothing(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    window.set_recipient("ada")
    window.click_subscribe("  ")
    assert "enter the ID of the list" in window.status()
    window.set_recipient(" ada")  # padded: refused for profiles, so for lists too
    window.click_subscribe("news")
    assert window.status().startswith("Subscribe: not sent.")
    window.set_recipient("..")
    window.click_unsubscribe_all()
    assert window.status().startswith("Unsubscribe all: not sent.")
    assert sandbox.requests() == []


def test_unsubscribe_all_asks_naming_recipient_environment_and_count(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    subscribe_directly(sandbox, "ada", *({"listId": name} for name in ("a", "b", "c")))
    window.load_with_lists("ada")
    assert len(window.lists_rows()) == 3

    dialog_stub.answer("confirm", False)
    window.click_unsubscribe_all()
    question = dialog_stub.last()
    assert question.kind == "confirm"
    env = window.environment_shown()
    assert "“ada”" in question.text and env in question.text
    assert "3 subscriptions" in question.text
    assert "cancelled" in window.status()
    assert list_requests(sandbox, "DELETE") == []
    assert len(window.lists_rows()) == 3

    dialog_stub.answer("confirm", True)
    outcome = window.unsubscribe_all()
    assert outcome.ok
    assert window.lists_rows() == []
    assert len(list_requests(sandbox, "DELETE")) == 1
    assert "Unsubscribed “ada” from every list" in window.status()


def test_a_protected_environment_asks_before_a_list_change(
    make_window: MakeWindow, sandbox: SandboxServer, dialog_stub: DialogStub, tmp_path: Path
) -> None:
    EnvironmentStore(tmp_path / "data" / "environments.json").save(
        [Environment(name="Guarded", base_url=sandbox.url, color="#d64541", protected=True)]
    )
    window = make_window(sandbox.url, sandbox.key)
    window.keychain().set("Guarded", sandbox.key)
    window.choose_environment("Guarded")
    window.set_recipient("ada")

    dialog_stub.answer("confirm", False)
    window.click_subscribe("news")
    assert dialog_stub.kinds() == ["confirm"]
    assert "protected" in dialog_stub.last().text and "Guarded" in dialog_stub.last().text
    assert list_requests(sandbox, "POST") == []

    dialog_stub.answer("confirm", True)
    assert window.subscribe("news").ok
    assert dialog_stub.kinds() == ["confirm", "confirm"]
    assert [row[0] for row in window.lists_rows()] == ["news"]

    window.unsubscribe_all()  # the protected question, then the one about what goes
    asked = dialog_stub.questions[-2:]
    assert "protected" in asked[0].text
    assert "1 subscription" in asked[1].text and "Guarded" in asked[1].text


def test_list_changes_are_in_history_and_not_reopened_in_the_editor(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub, qtbot: QtBot
) -> None:
    window.wait_history_loaded()
    window.load_with_lists("ada")
    window.subscribe("news")
    window.unsubscribe_all()

    # The profile's load is a request too, and so is each read of the lists after a load or a
    # change: every request the window made, newest first.
    qtbot.waitUntil(lambda: len(window.history_cells(METHOD_COLUMN)) == 6, timeout=5000)
    assert window.history_cells(METHOD_COLUMN) == [
        "Read lists",
        "Unsubscribe all",
        "Read lists",
        "Subscribe",
        "Read lists",
        "GET",
    ]
    assert window.history_cells(RECIPIENT_COLUMN) == ["ada"] * 6
    lines = log_lines(window, qtbot, 6)
    assert [(x["method"], x["resource"]) for x in lines] == [
        ("GET", "profile"),
        ("GET", "lists"),
        ("POST", "lists"),
        ("GET", "lists"),
        ("DELETE", "lists"),
        ("GET", "lists"),
    ]
    assert lines[2]["request_body"] == {"lists": [{"listId": "news"}]}
    assert sandbox.key not in json.dumps(lines)

    panel = window.history()
    panel.select_row(3)
    assert "/profiles/ada/lists" in panel.details.toPlainText()
    window.set_json_text('{"mine": true}')
    panel.reopen_button.click()
    assert dialog_stub.last().kind == "inform"
    assert "Lists tab" in dialog_stub.last().text
    assert window.profile() == {"mine": True}


def test_a_subscribe_cut_short_by_closing_is_recorded(
    window: WindowDriver, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    window.set_recipient("ada")
    sandbox.queue_fault(Fault(status=200, delay=1.5, method="POST"))
    window.click_subscribe("news")
    qtbot.waitUntil(lambda: len(list_requests(sandbox, "POST")) == 1, timeout=5000)

    assert window.close()

    [line] = log_lines(window, qtbot, 1)
    assert (line["method"], line["resource"], line["outcome"]) == ("POST", "lists", "cancelled")
