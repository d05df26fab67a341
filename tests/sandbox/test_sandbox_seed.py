"""Seeding the sandbox: ``--seed FILE``, its refusals, and the demo the window starts with."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profile_editor.sandbox.__main__ import main
from profile_editor.sandbox.demo import DEMO_RECIPIENT, demo_seed
from profile_editor.sandbox.seed import SeedError, apply_seed, load_seed, parse_seed
from profile_editor.sandbox.server import start_sandbox
from profile_editor.sandbox.store import ProfileStore

SDK_SEED = Path(__file__).resolve().parents[1] / "peer" / "courier_sdk_users_seed.json"

TOPIC = {
    "topic_id": "t",
    "topic_name": "T",
    "section_id": "s",
    "section_name": "S",
    "default_status": "REQUIRED",
}


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return path


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ("{not json", "not valid JSON"),
        ([], "a seed is a JSON object"),
        ({"topic": []}, "topic: Extra inputs are not permitted"),
        (
            {"topics": [{**TOPIC, "default_status": "ON"}]},
            "topics.0.default_status: Input should be",
        ),
        (
            {"preferences": {"u": [{"topic_id": "x", "status": "OPTED_IN"}]}},
            "preferences.u.0.topic_id: 'x' is not one",
        ),
        (
            {"topics": [TOPIC], "preferences": {"u": [{"topic_id": "t", "status": "OPTED_OUT"}]}},
            "REQUIRED and cannot be opted out",
        ),
        (
            {"tokens": {"u": [{"token": "a", "provider_key": "apn", "expiry_date": "soon"}]}},
            "tokens.u.0.expiry_date: 'soon' is not an ISO 8601 date",
        ),
        (
            {"tokens": {"u": [{"token": "a", "provider_key": "apn", "expiry_date": True}]}},
            "tokens.u.0.expiry_date",
        ),
        ({"tokens": {"u": [{"token": "a", "provider_key": "apn"}] * 2}}, "appears twice"),
        ({"tenants": {"u": [{"tenant_id": ""}]}}, "tenants.u.0.tenant_id"),
        ({"topics": [TOPIC, TOPIC]}, "appears more than once"),
        ({"tenants": {"u": [{"tenant_id": "t"}, {"tenant_id": "t"}]}}, "tenants.u.1.tenant_id"),
        ({"tenants": {"u": [{"tenant_id": " t"}]}}, "whitespace"),
        ({"tokens": {"u": [{"token": "..", "provider_key": "apn"}]}}, "path step"),
        ({"profiles": {"": {}}}, "profiles: the recipient ''"),
        ({"tokens": {"a\nb": []}}, "tokens: the recipient"),
        (
            {
                "topics": [{**TOPIC, "default_status": "OPTED_IN"}],
                "preferences": {"u": [{"topic_id": "t", "status": "OPTED_IN"}] * 2},
            },
            "preferences.u.1: topic 't' appears twice",
        ),
    ],
)
def test_a_bad_seed_is_refused_with_the_path_and_what_is_wrong(
    tmp_path: Path, document: object, words: str
) -> None:
    path = _write(tmp_path, document)
    with pytest.raises(SeedError) as caught:
        load_seed(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert words in str(caught.value)


def test_command_line_refuses_a_bad_seed_before_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.json"
    assert main(["--memory", "--port", "0", "--seed", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Not started: {missing}: cannot read the seed file")


def test_command_line_serves_the_seed(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "profile_editor.sandbox",
            "--memory",
            "--port",
            "0",
            "--key",
            "k",
            "--seed",
            str(SDK_SEED),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split(" on ")[1].split(" ")[0]
        with httpx.Client(base_url=url, headers={"Authorization": "Bearer k"}, timeout=5) as http:
            topic = http.get("/users/user_id/preferences/topic_id").json()["topic"]
            assert topic["topic_id"] == "topic_id"
            assert http.get("/users/user_id/tokens/token").status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=10)  # also closes the pipes


def test_seeding_replaces_what_it_names_and_keeps_the_rest() -> None:
    with start_sandbox(port=0, seed=demo_seed()) as server:
        server.put_profile("other", {"name": "Other"})
        seed = demo_seed()
        trimmed = seed.model_copy(
            update={"tokens": {DEMO_RECIPIENT: seed.tokens[DEMO_RECIPIENT][:1]}, "tenants": {}}
        )
        server.apply_seed(trimmed)
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}
        ) as http:
            assert len(http.get(f"/users/{DEMO_RECIPIENT}/tokens").json()["tokens"]) == 1
            assert (
                len(http.get(f"/users/{DEMO_RECIPIENT}/tenants").json()["items"]) == 2
            )  # not named
            assert len(http.get(f"/profiles/{DEMO_RECIPIENT}/lists").json()["results"]) == 3
            assert http.get("/profiles/other").status_code == 200
        assert server.apply_seed(seed, if_new=True) is False  # topics there: left alone
        server.reset()
        assert server.apply_seed(seed, if_new=True) is True


def test_window_sandbox_starts_with_the_demo_once(tmp_path: Path) -> None:
    """What the window's --sandbox does: the demo goes into a new database only, so changes
    made in the sandbox survive a restart."""
    db = tmp_path / "sandbox.sqlite3"
    with start_sandbox(port=0, db_path=db) as server:
        assert server.apply_seed(demo_seed(), if_new=True)
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}
        ) as http:
            assert http.delete(f"/users/{DEMO_RECIPIENT}/tenants").status_code == 204
    with start_sandbox(port=0, db_path=db) as server:
        assert not server.apply_seed(demo_seed(), if_new=True)
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}
        ) as http:
            assert http.get(f"/users/{DEMO_RECIPIENT}/tenants").json()["items"] == []
            assert http.get(f"/profiles/{DEMO_RECIPIENT}").json()["profile"]["name"] == "Ada Demo"


def test_sdk_seed_file_is_valid() -> None:
    seed = load_seed(SDK_SEED)
    assert {"topic_id", "pt_01kx4h2jdafq8bk996nn92357r"} <= {t.topic_id for t in seed.topics}


# Seed-shaped documents with the awkward parts a hand-written file has: repeated and odd IDs,
# wrong types, members left out.
_ID = st.sampled_from(["u", "t", "", " t", "a/b", "..", "x\ny", "ü %2F"])
_ANY = st.one_of(st.none(), st.booleans(), st.integers(), _ID, st.lists(_ID, max_size=2))
_TOPIC = st.fixed_dictionaries(
    {"topic_id": _ID, "topic_name": _ID},
    optional={
        "default_status": st.sampled_from(["OPTED_IN", "OPTED_OUT", "REQUIRED", "ON"]),
        "digest_schedules": st.lists(_ID, max_size=2),
    },
)
_OVERRIDE = st.fixed_dictionaries(
    {"topic_id": _ID, "status": st.sampled_from(["OPTED_IN", "OPTED_OUT", "REQUIRED"])},
    optional={"tenant_id": _ID, "digest_schedule_id": _ID, "custom_routing": _ANY},
)
_TOKEN = st.fixed_dictionaries(
    {"token": _ID, "provider_key": st.sampled_from(["apn", "expo", "fcm"])},
    optional={"expiry_date": st.sampled_from([False, True, "2026-02-30", "2100-01-01", 5])},
)
_TENANT = st.fixed_dictionaries(
    {"tenant_id": _ID}, optional={"profile": st.one_of(_ANY, st.just({"a": 1}))}
)
_SEED = st.fixed_dictionaries(
    {},
    optional={
        "topics": st.lists(_TOPIC, max_size=3),
        "profiles": st.dictionaries(_ID, st.one_of(_ANY, st.just({"name": "A"})), max_size=2),
        "lists": st.dictionaries(_ID, st.lists(_ID, max_size=3), max_size=2),
        "preferences": st.dictionaries(_ID, st.lists(_OVERRIDE, max_size=3), max_size=2),
        "tokens": st.dictionaries(_ID, st.lists(_TOKEN, max_size=3), max_size=2),
        "tenants": st.dictionaries(_ID, st.lists(_TENANT, max_size=3), max_size=2),
    },
)


@settings(max_examples=150, deadline=None)
@given(_SEED)
def test_any_seed_loads_or_is_refused_with_where(document: dict[str, object]) -> None:
    try:
        seed = parse_seed(document, "seed.json")
    except SeedError as exc:
        assert str(exc).startswith("seed.json: ")
        return
    apply_seed(ProfileStore(), seed)  # a seed that is accepted also loads
