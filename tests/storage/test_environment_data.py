"""The quick read of environments.json (no models) agrees with the validated one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profile_editor.storage.environment_data import (
    DEFAULT_ENVIRONMENTS,
    environment_from_os_environ,
    read_environments_quickly,
)
from profile_editor.storage.environments import EnvironmentStore, env_from_os_environ


def shown(envs: list[Any]) -> list[tuple[str, str, str, bool]]:
    return [(e.name, e.base_url, e.color, e.protected) for e in envs]


def both(path: Path, text: str) -> tuple[list[Any], list[Any]]:
    path.write_text(text, encoding="utf-8")
    return shown(read_environments_quickly(path)), shown(EnvironmentStore(path).load())


NAMES = st.sampled_from(["Sandbox", " Staging ", "sandbox", "", "  ", "Prod", 7, None])
URLS = st.sampled_from(
    [
        "https://api.courier.com",
        "http://127.0.0.1:8080/",
        "api.courier.com",
        "https://user:pw@example.com",
        "https://example.com/?q=1",
        "ftp://example.com",
        3,
    ]
)
COLORS = st.sampled_from(["#00897B", " #123456 ", "red", "#12345", None, 5])
PROTECTED_VALUES = [True, False, 0, 1, 2, 0.0, 1.0, 0.5, "yes", "OFF", " yes ", "maybe", None, []]
PROTECTED = st.sampled_from(PROTECTED_VALUES)


@st.composite
def items(draw: st.DrawFn) -> dict[str, Any]:
    item: dict[str, Any] = {"name": draw(NAMES), "base_url": draw(URLS)}
    for key, values in (("color", COLORS), ("protected", PROTECTED)):
        if draw(st.booleans()):
            item[key] = draw(values)
    if draw(st.booleans()):
        item["extra"] = "ignored"
    return item


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    envs=st.lists(items(), max_size=3),
    version=st.sampled_from([None, 1, 2, 0, "1", True]),
)
def test_the_quick_read_agrees_with_the_validated_one(
    tmp_path: Path, envs: list[dict[str, Any]], version: Any
) -> None:
    data: dict[str, Any] = {"environments": envs}
    if version is not None:
        data["schema_version"] = version
    quick, validated = both(tmp_path / "environments.json", json.dumps(data))
    assert quick == validated


def test_each_way_of_writing_protected_reads_the_same(tmp_path: Path) -> None:
    for value in PROTECTED_VALUES:
        item = {"name": "Sandbox", "base_url": "http://127.0.0.1:1", "protected": value}
        quick, validated = both(
            tmp_path / "environments.json", json.dumps({"environments": [item]})
        )
        assert quick == validated, value


def test_missing_broken_and_odd_files_give_the_defaults_in_both(tmp_path: Path) -> None:
    path = tmp_path / "environments.json"
    assert shown(read_environments_quickly(path)) == shown(DEFAULT_ENVIRONMENTS)
    for text in (
        "",
        "{",
        "[]",
        '{"environments": {}}',
        "\ufeff" + '{"environments": []}',
        "[" * 5000,
    ):
        quick, validated = both(path, text)
        assert quick == validated, text
    path.write_bytes(b'{"environments": [{"name": "\xff"}]}')
    assert shown(read_environments_quickly(path)) == shown(EnvironmentStore(path).load())


def test_the_process_environment_reads_the_same_in_both() -> None:
    environ = {
        "COURIER_API_KEY": " pk_test_abc ",
        "COURIER_BASE_URL": "https://api.eu.courier.com/",
    }
    plain, key = environment_from_os_environ(environ) or (None, None)
    model, same_key = env_from_os_environ(environ) or (None, None)
    assert plain is not None and model is not None
    assert shown([plain]) == shown([model]) and key == same_key == "pk_test_abc"
    assert not plain.protected
