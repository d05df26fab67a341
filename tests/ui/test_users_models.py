"""The preferences tree, the tokens and tenants tables: Qt's model checks, and what they show."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QTreeView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from profile_editor.core.users.preferences import TopicPreference
from profile_editor.core.users.tenants import TenantAssociation
from profile_editor.core.users.tokens import UserToken
from profile_editor.ui.users.models import (
    PreferencesModel,
    StatusDelegate,
    TenantsModel,
    TokensModel,
    token_stands_out,
)

EDIT = Qt.ItemDataRole.EditRole


def topic(
    tid: str, status: str, *, default: str = "OPTED_IN", section: str | None = "News"
) -> TopicPreference:
    return TopicPreference(
        topic_id=tid,
        topic_name=tid.replace("-", " ").title(),
        status=status,
        default_status=default,
        section_id=section,
        section_name=section,
    )


TOPICS = [
    topic("weekly-digest", "OPTED_IN", section="Digests"),
    topic("security", "REQUIRED", default="REQUIRED", section="Account"),
    topic("promos", "OPTED_OUT", section="Digests"),
    topic("misc", "OPTED_IN", section=None),
]


def test_preferences_model_passes_qt_checks(qtmodeltester: ModelTester) -> None:
    model = PreferencesModel()
    model.set_topics(TOPICS)
    qtmodeltester.check(model)
    model.setData(model.index_of("weekly-digest", 1), "OPTED_OUT", EDIT)
    qtmodeltester.check(model)


def test_topics_are_grouped_by_section_and_status_edit_role_is_the_string() -> None:
    model = PreferencesModel()
    model.set_topics(TOPICS)
    sections = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert sections == ["Digests (2)", "Account (1)", "Other topics (1)"]
    status = model.index_of("promos", 1)
    assert status.data(EDIT) == "OPTED_OUT"
    assert status.parent().data() == "Digests (2)"
    assert not model.flags(model.index(0, 1)) & Qt.ItemFlag.ItemIsEditable  # a section
    assert model.flags(status) & Qt.ItemFlag.ItemIsEditable


def test_setting_a_status_stages_it_and_setting_it_back_unstages_it(qtbot: QtBot) -> None:
    model = PreferencesModel()
    model.set_topics(TOPICS)
    index = model.index_of("weekly-digest", 1)
    with qtbot.waitSignal(model.stagedChanged):
        assert model.setData(index, "OPTED_OUT", EDIT)
    assert model.staged() == {"weekly-digest": "OPTED_OUT"}
    assert index.data(EDIT) == "OPTED_OUT"
    assert index.data() == "OPTED_IN → OPTED_OUT"
    assert not model.setData(index, "MAYBE", EDIT)  # not a status: refused, nothing staged
    assert model.setData(index, "OPTED_IN", EDIT)
    assert model.staged() == {}


def test_staged_edits_survive_a_reread_of_the_same_topics() -> None:
    model = PreferencesModel()
    model.set_topics(TOPICS)
    model.setData(model.index_of("promos", 1), "OPTED_IN", EDIT)
    model.set_topics(TOPICS, keep_staged=True)
    assert model.staged() == {"promos": "OPTED_IN"}
    model.set_topics(TOPICS[:1], keep_staged=True)  # the topic is gone: so is its edit
    assert model.staged() == {}
    model.setData(model.index_of("weekly-digest", 1), "OPTED_OUT", EDIT)
    stored_now = [topic("weekly-digest", "OPTED_OUT", section="Digests")]
    model.set_topics(stored_now, keep_staged=True)  # stored as chosen: nothing left to apply
    assert model.staged() == {}


def test_the_status_combo_offers_a_users_choices_and_commits_the_pick(qtbot: QtBot) -> None:
    model = PreferencesModel()
    model.set_topics(TOPICS)
    view = QTreeView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = StatusDelegate(view)
    view.setItemDelegateForColumn(1, delegate)
    view.expandAll()
    view.show()
    index = model.index_of("weekly-digest", 1)
    view.setCurrentIndex(index)
    view.edit(index)
    combo = view.findChild(QComboBox, "preferenceStatusCombo")
    assert combo is not None
    assert [combo.itemText(i) for i in range(combo.count())] == ["OPTED_IN", "OPTED_OUT"]
    assert combo.currentText() == "OPTED_IN"
    combo.setCurrentText("OPTED_OUT")
    combo.activated.emit(1)
    assert model.staged() == {"weekly-digest": "OPTED_OUT"}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d", "e"]),
            st.sampled_from(["OPTED_IN", "OPTED_OUT"]),
        ),
        max_size=12,
    )
)
def test_staged_is_exactly_the_topics_whose_last_choice_differs(
    edits: list[tuple[str, str]],
) -> None:
    topics = [topic(t, "OPTED_IN", section=None) for t in "abcde"]
    model = PreferencesModel()
    model.set_topics(topics)
    last: dict[str, str] = {}
    for tid, status in edits:
        model.setData(model.index_of(tid, 1), status, EDIT)
        last[tid] = status
    assert model.staged() == {t: s for t, s in last.items() if s != "OPTED_IN"}


def tok(value: str, **extra: object) -> UserToken:
    return UserToken.model_validate({"token": value, "provider_key": "firebase-fcm", **extra})


def test_tokens_model_passes_qt_checks_and_failed_or_expired_tokens_stand_out(
    qtmodeltester,
) -> None:  # type: ignore[no-untyped-def]
    model = TokensModel()
    tokens = [
        tok(
            "a" * 40,
            status="active",
            expiry_date="2999-01-01",
            device={"platform": "ios", "app_id": "app"},
        ),
        tok("b" * 40, status="failed", status_reason="unregistered"),
        tok("c" * 40, status="active", expiry_date="2000-01-01"),
        tok("d" * 40, expiry_date=False),
    ]
    model.set_tokens(tokens)
    qtmodeltester.check(model)
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(4)]
    assert rows[0][:5] == ["aaaa…aaaa", "firebase-fcm", "ios", "app", "2999-01-01"]
    assert rows[3][4] == "never"
    assert "expired" in rows[2][5]
    today = date(2026, 12, 5)
    assert [token_stands_out(t, today) for t in tokens] == [None, "failed", "expired", None]
    foreground = Qt.ItemDataRole.ForegroundRole
    assert model.index(0, 0).data(foreground) is None
    assert model.index(1, 0).data(foreground) is not None
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "a" * 40


def test_tenants_model_passes_qt_checks(qtmodeltester: ModelTester) -> None:
    model = TenantsModel()
    model.set_tenants(
        [
            TenantAssociation(tenant_id="acme", profile={"email": "a@acme.example"}),
            TenantAssociation(tenant_id="beta"),
        ]
    )
    qtmodeltester.check(model)
    assert model.index(0, 1).data() == '{"email": "a@acme.example"}'
    assert model.index(1, 1).data() == "—"
    assert model.rowCount(QModelIndex()) == 2


@pytest.mark.parametrize("bad", ["", "MAYBE", "opted_out"])
def test_only_exact_statuses_are_accepted(bad: str) -> None:
    model = PreferencesModel()
    model.set_topics(TOPICS)
    assert not model.setData(model.index_of("promos", 1), bad, EDIT)
    assert model.staged() == {}
