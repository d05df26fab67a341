"""The recipient ID of a send is checked against the rules once, however many parts of the
window ask about it (the field's hint, the send plan, the target)."""

from __future__ import annotations

from driver import WindowDriver  # type: ignore[import-not-found]

from profile_editor.sandbox.server import SandboxServer


def test_one_send_checks_its_recipient_id_once(
    window: WindowDriver, sandbox: SandboxServer, recipient_checks: list[str]
) -> None:
    window.fill(profile={"plan": "pro"}, method="POST")
    checked = recipient_checks
    for n in range(3):
        window.set_recipient(f"checked-once-{n}")
        assert window.send().ok
    assert checked == [f"checked-once-{n}" for n in range(3)]
