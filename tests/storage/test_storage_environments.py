"""Environments file: defaults, round trip, corrupt files, the SDK environment variables."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from profile_editor.storage.environments import (
    DEFAULT_BASE_URL,
    EU_BASE_URL,
    OS_ENVIRON_NAME,
    Environment,
    EnvironmentStore,
    default_environments,
    env_from_os_environ,
)
from profile_editor.storage.errors import StorageError


def test_missing_file_gives_defaults_without_writing(tmp_path: Path) -> None:
    store = EnvironmentStore(tmp_path / "environments.json")
    envs = store.load()
    assert [(e.name, e.base_url, e.protected) for e in envs] == [
        ("Production", DEFAULT_BASE_URL, True),
        ("EU", EU_BASE_URL, True),
    ]
    assert store.error is None
    assert not (tmp_path / "environments.json").exists()


def test_round_trip(tmp_path: Path) -> None:
    store = EnvironmentStore(tmp_path / "config" / "environments.json")
    envs = [
        *default_environments(),
        Environment(name="Local sandbox", base_url="http://127.0.0.1:8765/", color="#00AA55"),
        Environment(name="Proxy", base_url="  https://proxy.example.com/courier//  "),
    ]
    store.save(envs)
    loaded = EnvironmentStore(tmp_path / "config" / "environments.json").load()
    assert loaded == envs
    assert loaded[2].base_url == "http://127.0.0.1:8765"
    assert loaded[2].color == "#00aa55"
    assert loaded[3].base_url == "https://proxy.example.com/courier"
    assert [p.name for p in (tmp_path / "config").iterdir()] == ["environments.json"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://api.courier.com",
        "api.courier.com",
        "https://",
        "https://user:pw@api.courier.com",
        "https://api.courier.com/?x=1",
        "https://api.courier.com/#frag",
        "https://api.courier.com:99999",
        "https://api courier.com",
        "",
    ],
)
def test_bad_urls_are_rejected(url: str) -> None:
    with pytest.raises(ValidationError):
        Environment(name="x", base_url=url)


@pytest.mark.parametrize("color", ["red", "#fff", "#12345g", "123456", "#1234567"])
def test_bad_colors_are_rejected(color: str) -> None:
    with pytest.raises(ValidationError):
        Environment(name="x", base_url=DEFAULT_BASE_URL, color=color)


def test_blank_name_rejected() -> None:
    with pytest.raises(ValidationError):
        Environment(name="  ", base_url=DEFAULT_BASE_URL)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "cannot be read"),
        (b'{"schema_version": 9, "environments": []}', "newer"),
        (b'{"environments": [{"name": "x", "base_url": "ftp://x"}]}', "#1"),
        (b'{"environments": {}}', "environments"),
        (b"[]", "environments"),
        (
            b'{"environments": [{"name": "A", "base_url": "https://a.example"},'
            b' {"name": "a", "base_url": "https://b.example"}]}',
            "Two environments",
        ),
    ],
)
def test_corrupt_file_gives_defaults_and_is_left_alone(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "environments.json"
    path.write_bytes(content)
    store = EnvironmentStore(path)
    assert store.load() == default_environments()
    assert store.error is not None and reason in store.error
    assert "environments.json" in store.error
    assert path.read_bytes() == content


def test_folder_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "environments.json").mkdir()
    store = EnvironmentStore(tmp_path / "environments.json")
    assert store.load() == default_environments()
    assert store.error is not None
    with pytest.raises(StorageError):
        store.save(default_environments())


def test_save_clears_error_and_rejects_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "environments.json"
    path.write_text("oops")
    store = EnvironmentStore(path)
    store.load()
    assert "not valid JSON" in (store.error or "")
    with pytest.raises(StorageError, match="Two environments"):
        store.save([*default_environments(), *default_environments()])
    assert path.read_text() == "oops"
    store.save(default_environments()[:1])
    assert store.error is None
    assert [e.name for e in store.load()] == ["Production"]


def test_unknown_fields_from_a_newer_minor_version_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "environments.json"
    path.write_text(
        '{"schema_version": 1, "environments": '
        '[{"name": "X", "base_url": "https://x.example/", "color": "#ABCDEF", "icon": "x"}]}'
    )
    [env] = EnvironmentStore(path).load()
    assert (env.name, env.base_url, env.color, env.protected) == (
        "X",
        "https://x.example",
        "#abcdef",
        False,
    )


# -- environment variables -------------------------------------------------------------------


def test_no_variables_no_environment() -> None:
    assert env_from_os_environ({}) is None
    assert env_from_os_environ({"COURIER_API_KEY": "  ", "COURIER_BASE_URL": ""}) is None
    assert env_from_os_environ({"PATH": "/bin"}) is None


def test_api_key_variable() -> None:
    result = env_from_os_environ({"COURIER_API_KEY": " pk_prod_abc \n"})
    assert result is not None
    env, key = result
    assert (env.name, env.base_url, env.protected, key) == (
        OS_ENVIRON_NAME,
        DEFAULT_BASE_URL,
        True,
        "pk_prod_abc",
    )


def test_auth_token_and_base_url() -> None:
    result = env_from_os_environ(
        {"COURIER_AUTH_TOKEN": "dk_test_xyz", "COURIER_BASE_URL": "http://localhost:9000/"}
    )
    assert result is not None
    env, key = result
    assert (env.base_url, key, env.protected) == ("http://localhost:9000", "dk_test_xyz", False)


def test_api_key_wins_over_auth_token() -> None:
    result = env_from_os_environ({"COURIER_API_KEY": "a", "COURIER_AUTH_TOKEN": "b"})
    assert result is not None and result[1] == "a"


def test_base_url_only() -> None:
    result = env_from_os_environ({"COURIER_BASE_URL": EU_BASE_URL})
    assert result is not None
    env, key = result
    assert env.base_url == EU_BASE_URL and key is None


def test_bad_base_url_is_an_error_not_a_silent_default() -> None:
    with pytest.raises(ValueError, match="COURIER_BASE_URL"):
        env_from_os_environ({"COURIER_API_KEY": "k", "COURIER_BASE_URL": "api.courier.com"})
