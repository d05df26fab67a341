"""Target and Refusal are plain classes (a load imports them without the send plan's
dataclasses): they must still behave as the frozen dataclasses they replaced."""

from __future__ import annotations

import pytest

from profile_editor.core.send import plan
from profile_editor.core.send.target import Refusal, Target


def test_target_compares_hashes_and_prints_by_its_fields() -> None:
    target = Target("https://api.courier.com", "Production", protected=True)
    same = Target(base_url="https://api.courier.com", environment="Production", protected=True)
    assert target == same and hash(target) == hash(same) and len({target, same}) == 1
    assert target != Target("https://api.courier.com", "Production")
    assert target != ("https://api.courier.com", "Production", True, True)
    assert (target.environment, target.protected, target.has_key) == ("Production", True, True)
    assert repr(Target("http://x")) == (
        "Target(base_url='http://x', environment=None, protected=False, has_key=True)"
    )


def test_refusal_compares_by_its_fields_and_is_frozen() -> None:
    refusal = Refusal("Not sent: no API key.", "key")
    assert refusal == Refusal("Not sent: no API key.", "key") != Refusal("Not sent.", "key")
    assert repr(refusal) == "Refusal(message='Not sent: no API key.', field='key')"
    with pytest.raises(AttributeError, match="frozen"):
        refusal.message = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        refusal.other = 1  # type: ignore[attr-defined]


def test_the_send_plan_gives_the_same_classes() -> None:
    assert plan.Target is Target and plan.Refusal is Refusal
