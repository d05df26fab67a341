"""The question asked at start-up about a leftover draft: one seam for tests to patch."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from profile_editor.storage.drafts import DraftRecord


def draft_time_text(saved_at: datetime, now: datetime | None = None) -> str:
    """``10:42`` for today, ``26 Nov 10:42`` for another day, in local time."""
    local = saved_at.astimezone()
    today = (now or datetime.now().astimezone()).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%d %b %H:%M")


def restore_question(draft: DraftRecord) -> str:
    return f"Restore the unsaved draft from {draft_time_text(draft.saved_at)}?"


def draft_summary(draft: DraftRecord) -> str:
    recipient = draft.recipient_id or "no recipient"
    size = len(draft.profile_text)
    lines = [f"Recipient: {recipient}", f"Profile text: {size:,} characters"]
    if draft.method:
        lines.append(f"Method: {draft.method}")
    if draft.environment:
        lines.append(f"Environment: {draft.environment}")
    if draft.secrets_masked:
        lines.append("The API key that was in it was saved as **** and must be typed again.")
    return "\n".join(lines)


def ask_restore_draft(parent: QWidget | None, draft: DraftRecord) -> bool:
    """True to restore ``draft``, False to discard it."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Question, "Unsaved draft", restore_question(draft), parent=parent
    )
    box.setObjectName("restoreDraftDialog")
    box.setInformativeText(
        "Profile Editor did not close cleanly last time.\n\n" + draft_summary(draft)
    )
    restore = box.addButton("Restore draft", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore
