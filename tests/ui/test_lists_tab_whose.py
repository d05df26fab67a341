"""The Lists tab says whose subscriptions it shows, and marks them out of date the moment the
recipient ID (or the environment) changes; Subscribe and Unsubscribe all act on the ID entered."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from driver import MakeWindow, WindowDriver  # type: ignore[import-not-found]
from PySide6.QtWidgets import QLabel, QTableView
from pytestqt.qtbot import QtBot
from stubs import DialogStub  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer
from profile_editor.storage.environments import Environment, EnvironmentStore


def subscribe_directly(sandbox: SandboxServer, rid: str, *list_ids: str) -> None:
    response = httpx.post(
        f"{sandbox.url}/profiles/{quote(rid, safe='')}/lists",
        json={"lists": [{"listId": list_id} for list_id in list_ids]},
        headers={"Authorization": f"Bearer {sandbox.key}"},
    )
    assert response.status_code == 200, response.text


def stored_lists(sandbox: SandboxServer, rid: str) -> list[str]:
    response = httpx.get(
        f"{sandbox.url}/profiles/{quote(rid, safe='')}/lists",
        headers={"Authorization": f"Bearer {sandbox.key}"},
    )
    return sorted(item["id"] for item in response.json()["results"])


def header(window: WindowDriver) -> str:
    return window.find(QLabel, "listsHeader").text()


def rows_greyed(window: WindowDriver) -> bool:
    return not window.find(QTableView, "listsView").isEnabled()


def list_requests(sandbox: SandboxServer, method: str) -> list[Any]:
    return [r for r in sandbox.requests() if r.method == method and "/lists" in r.path]


def test_the_tab_names_whose_subscriptions_and_marks_them_when_the_id_changes(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    subscribe_directly(sandbox, "ada", "a", "b", "c")
    window.load_with_lists("ada")
    assert header(window).startswith("Subscriptions of “ada”")
    assert "out of date" not in header(window) and not rows_greyed(window)

    window.type_recipient("-x")  # "ada-x": typed, one key at a time

    assert header(window).startswith("Subscriptions of “ada”")
    assert header(window).endswith("— out of date")
    assert rows_greyed(window)
    assert window.lists_summary() == (
        "Out of date: these are the subscriptions of “ada”; the recipient ID is now “ada-x”. "
        "Load or Reload reads those of “ada-x”."
    )
    assert len(window.lists_rows()) == 3  # kept, greyed, under a header that says whose

    window.set_recipient("")
    assert "the recipient ID field is empty" in window.lists_summary()
    window.set_recipient("ada")  # back: current again
    assert "out of date" not in header(window) and not rows_greyed(window)
    assert "“ada”" in window.lists_summary() and "3 subscriptions" in window.lists_summary()


def test_unsubscribe_all_acts_on_the_id_in_the_field_and_does_not_claim_a_count(
    window: WindowDriver, sandbox: SandboxServer, dialog_stub: DialogStub
) -> None:
    subscribe_directly(sandbox, "ada", "a", "b", "c")
    subscribe_directly(sandbox, "bob", "x")
    window.load_with_lists("ada")
    window.set_recipient("bob")

    dialog_stub.answer("confirm", False)
    window.click_unsubscribe_all()
    question = dialog_stub.last()
    assert "“bob”" in question.text and "“ada”" not in question.text
    assert "how many is unknown" in question.text and "3 subscriptions" not in question.text
    assert list_requests(sandbox, "DELETE") == []

    dialog_stub.answer("confirm", True)
    assert window.unsubscribe_all().ok
    [delete] = list_requests(sandbox, "DELETE")
    assert delete.recipient_id == "bob"
    assert stored_lists(sandbox, "ada") == ["a", "b", "c"]
    # The tab read bob's afterwards, and says so.
    assert header(window).startswith("Subscriptions of “bob”") and not rows_greyed(window)
    assert window.lists_rows() == []


def test_subscribe_acts_on_the_id_in_the_field(
    window: WindowDriver, sandbox: SandboxServer
) -> None:
    subscribe_directly(sandbox, "ada", "a")
    window.load_with_lists("ada")
    window.set_recipient("bob")
    before = len(list_requests(sandbox, "POST"))  # the one made directly above

    assert window.subscribe("weekly").ok

    [post] = list_requests(sandbox, "POST")[before:]
    assert post.recipient_id == "bob"
    assert json.loads(post.body) == {"lists": [{"listId": "weekly"}]}
    assert stored_lists(sandbox, "ada") == ["a"]
    assert header(window).startswith("Subscriptions of “bob”")
    assert [row[0] for row in window.lists_rows()] == ["weekly"]


def test_an_id_changed_while_they_are_read_marks_them_when_they_arrive(
    window: WindowDriver, sandbox: SandboxServer, qtbot: QtBot
) -> None:
    subscribe_directly(sandbox, "ada", "a")
    window.set_recipient("ada")
    with qtbot.waitSignal(window.widget.lists.finished, timeout=10_000):
        window.click_load()
        window.set_recipient("bob")
    assert header(window).startswith("Subscriptions of “ada”")
    assert header(window).endswith("out of date") and rows_greyed(window)


def test_another_environment_marks_them_too(
    make_window: MakeWindow, sandbox: SandboxServer, tmp_path: Path
) -> None:
    EnvironmentStore(tmp_path / "data" / "environments.json").save(
        [
            Environment(name="One", base_url=sandbox.url),
            Environment(name="Two", base_url=sandbox.url.replace("127.0.0.1", "localhost")),
        ]
    )
    window = make_window(sandbox.url, sandbox.key)
    window.keychain().set("One", sandbox.key)
    window.choose_environment("One")
    window.load_with_lists("ada")
    assert header(window) == "Subscriptions of “ada” in One"

    window.choose_environment("Two")

    assert header(window) == "Subscriptions of “ada” in One — out of date"
    assert "read in One; the environment is now Two" in window.lists_summary()
    window.choose_environment("One")
    assert header(window) == "Subscriptions of “ada” in One"
