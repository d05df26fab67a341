"""Well-known fields and shapes: completion data and the warnings check_profile gives."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from profile_editor.core.profile.fields import Source, field_at, known_fields
from profile_editor.core.profile.rules import Problem, Severity, check_profile

SEED_PROFILE = {"email": "user@example.com", "phone_number": "555-555-5555"}


def _rules(profile: dict[str, Any]) -> list[tuple[str, str, Severity]]:
    return [(p.display_path, p.rule, p.severity) for p in check_profile(profile)]


def _one(profile: dict[str, Any]) -> Problem:
    problems = check_profile(profile)
    assert len(problems) == 1, problems
    return problems[0]


# --- known_fields: what completion offers -----------------------------------------------------


def test_known_top_level_fields_have_types_descriptions_and_sources() -> None:
    fields = {f.key: f for f in known_fields()}
    for key in (
        "email", "email_verified", "phone_number", "phone_number_verified", "name", "given_name",
        "family_name", "middle_name", "nickname", "preferred_name", "gender", "birthdate",
        "locale", "zoneinfo", "picture", "profile", "website", "sub", "updated_at", "address",
        "custom", "firebaseToken", "apn", "expo", "airship", "aws_sns", "oneSignalPlayerID",
        "slack", "ms_teams", "discord", "intercom", "facebookPSID", "webhook", "pagerduty",
    ):  # fmt: skip
        known = fields[key]
        assert known.description
        assert known.json_type
        assert isinstance(known.source, Source)
        json.dumps(known.skeleton)  # every skeleton is JSON
    assert "target_arn" not in fields  # the docs' top-level place is not offered
    assert "target_arn" in {f.key for f in known_fields(include_discouraged=True)}


@pytest.mark.parametrize(
    ("key", "json_type", "skeleton"),
    [
        (
            "address",
            "object",
            {
                "formatted": "",
                "street_address": "",
                "locality": "",
                "region": "",
                "postal_code": "",
                "country": "",
            },
        ),
        ("email_verified", "boolean", False),
        ("slack", "object", {"access_token": "", "channel": ""}),
        ("firebaseToken", "string or array", ""),
        ("apn", "object", {"token": ""}),
        ("webhook", "object", {"url": "", "method": "POST"}),
        ("custom", "object", {}),
    ],
)
def test_skeletons_for_insertion(key: str, json_type: str, skeleton: Any) -> None:
    known = field_at((key,))
    assert known is not None
    assert known.json_type == json_type
    assert known.skeleton_value() == skeleton
    assert json.loads(known.skeleton_text()) == skeleton


def test_skeleton_values_are_fresh_copies() -> None:
    known = field_at(("address",))
    assert known is not None
    first = known.skeleton_value()
    first["country"] = "FR"
    assert known.skeleton_value()["country"] == ""


def test_nested_completion() -> None:
    assert [f.key for f in known_fields(("address",))] == [
        "formatted",
        "street_address",
        "locality",
        "region",
        "postal_code",
        "country",
    ]
    assert [f.key for f in known_fields(("slack",))] == [
        "access_token",
        "channel",
        "email",
        "user_id",
        "incoming_webhook",
    ]
    assert [f.key for f in known_fields(("slack", "incoming_webhook"))] == ["url"]
    assert [f.key for f in known_fields(("webhook", "authentication"))] == [
        "mode",
        "username",
        "password",
        "token",
    ]
    assert known_fields(("custom",)) == ()
    assert known_fields(("no_such_key",)) == ()
    assert known_fields(("email",)) == ()


def test_disagreements_are_recorded_with_their_reason() -> None:
    for path in (("apn",), ("target_arn",), ("webhook", "method")):
        known = field_at(path)
        assert known is not None
        assert known.source is Source.DISAGREE
        assert known.note


# --- clean profiles ---------------------------------------------------------------------------


def test_the_api_reference_example_has_no_problems_at_all() -> None:
    assert check_profile(SEED_PROFILE) == []


def test_a_full_well_formed_profile_has_no_problems() -> None:
    profile = {
        "email": "ann@example.com",
        "email_verified": True,
        "phone_number": "+15555555555",
        "phone_number_verified": False,
        "name": "Ann Example",
        "locale": "pt-BR",
        "zoneinfo": "Europe/Paris",
        "updated_at": 1700000000,
        "address": {"locality": "Paris", "country": "France", "extra": "kept"},
        "custom": {"phone": 1, "Email": [], "slack": "anything goes here"},
        "firebaseToken": ["a", "b"],
        "apn": {"tokens": ["t1", "t2"]},
        "expo": {"token": "ExponentPushToken[x]"},
        "airship": {"audience": {"named_user": "ann"}, "device_types": ["ios"]},
        "aws_sns": {"target_arn": "arn:aws:sns:eu-west-1:1:endpoint/x"},
        "slack": {"access_token": "xoxb-1", "user_id": "U1"},
        "ms_teams": {
            "service_url": "https://smba",
            "tenant_id": "t",
            "channel_name": "c",
            "team_id": "x",
        },
        "discord": {"user_id": "1"},
        "intercom": {"from": "admin", "to": {"id": "u"}},
        "webhook": {
            "url": "https://hooks.example.com",
            "method": "POST",
            "headers": {"X-Id": "1"},
            "authentication": {"mode": "bearer", "token": "t"},
            "profile": "expanded",
        },
        "pagerduty": {"routing_key": "r"},
        "something_else": {"phone": 1},
    }
    assert check_profile(profile) == []


def test_an_incoming_webhook_is_enough_for_slack() -> None:
    assert (
        check_profile({"slack": {"incoming_webhook": {"url": "https://hooks.slack.com/x"}}}) == []
    )


def test_null_values_are_not_checked() -> None:
    # On a merge, null removes the key.
    assert check_profile({"email": None, "slack": None, "email_verified": None}) == []


# --- channel shapes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ({"slack": {"channel": "C1"}}, [("slack", "slack.access_token")]),
        ({"slack": {"access_token": "x"}}, [("slack", "slack.recipient")]),
        ({"slack": {}}, [("slack", "slack.access_token"), ("slack", "slack.recipient")]),
        (
            {"slack": {"incoming_webhook": {}}},
            [("slack.incoming_webhook", "slack.incoming_webhook.url")],
        ),
        ({"ms_teams": {"tenant_id": "t", "user_id": "u"}}, [("ms_teams", "ms_teams.service_url")]),
        ({"ms_teams": {"service_url": "s", "user_id": "u"}}, [("ms_teams", "ms_teams.tenant_id")]),
        (
            {"ms_teams": {"service_url": "s", "tenant_id": "t"}},
            [("ms_teams", "ms_teams.recipient")],
        ),
        (
            {"ms_teams": {"service_url": "s", "tenant_id": "t", "channel_name": "c"}},
            [("ms_teams", "ms_teams.team_id")],
        ),
        ({"discord": {}}, [("discord", "discord.recipient")]),
        ({"discord": {"guild": "g"}}, [("discord", "discord.recipient")]),
        ({"expo": {}}, [("expo", "expo.token")]),
        ({"apn": {}}, [("apn", "apn.token")]),
        ({"expo": {"tokens": ["a", 2]}}, [("expo.tokens[1]", "expo.tokens.items")]),
        ({"aws_sns": {}}, [("aws_sns", "aws_sns.target_arn")]),
        ({"airship": {"audience": {}}}, [("airship.audience", "airship.audience.named_user")]),
        ({"intercom": {"from": "a", "to": {}}}, [("intercom.to", "intercom.to.id")]),
        ({"webhook": {}}, [("webhook", "webhook.url")]),
        (
            {"webhook": {"url": "u", "authentication": {"mode": "basic", "username": "me"}}},
            [("webhook.authentication", "webhook.authentication.basic")],
        ),
        (
            {"webhook": {"url": "u", "authentication": {"mode": "bearer"}}},
            [("webhook.authentication", "webhook.authentication.bearer")],
        ),
        (
            {"webhook": {"url": "u", "authentication": {}}},
            [("webhook.authentication", "webhook.authentication.mode")],
        ),
        ({"pagerduty": {}}, [("pagerduty", "pagerduty.routing_key")]),
    ],
)
def test_channel_shapes(profile: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    problems = check_profile(profile)
    assert [(p.display_path, p.rule) for p in problems] == expected
    assert all(p.severity is Severity.WARNING for p in problems)


def test_shape_messages_say_what_is_missing() -> None:
    assert "`access_token`" in _one({"slack": {"channel": "C"}}).message
    message = _one({"slack": {"access_token": "x"}}).message
    assert all(name in message for name in ("`channel`", "`email`", "`user_id`"))
    assert "`service_url`" in _one({"ms_teams": {"tenant_id": "t", "email": "e"}}).message
    assert "`channel_id` or `user_id`" in _one({"discord": {}}).message
    assert "`token` or `tokens`" in _one({"expo": {}}).message


def test_a_fresh_skeleton_gets_gentle_notes_on_its_empty_keys() -> None:
    problems = check_profile({"slack": {"access_token": "", "channel": ""}})
    assert [(p.display_path, p.severity) for p in problems] == [
        ("slack.access_token", Severity.NOTE),
        ("slack.channel", Severity.NOTE),
    ]
    assert problems[0].message == "`slack.access_token` is empty"


def test_a_wrongly_typed_channel_says_what_it_should_look_like() -> None:
    problem = _one({"slack": "xoxb-1"})
    assert problem.rule == "slack.type"
    assert problem.message.startswith("`slack` should be an object, not a string, e.g. {")
    assert "access_token" in problem.message


# --- types and formats -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "path", "rule", "fragment"),
    [
        (
            {"email_verified": "true"},
            "email_verified",
            "email_verified.type",
            "write true without quotes",
        ),
        (
            {"phone_number_verified": 1},
            "phone_number_verified",
            "phone_number_verified.type",
            "should be a boolean, not a number",
        ),
        ({"phone_number": 5555555555}, "phone_number", "phone_number.type", "put it in quotes"),
        ({"firebaseToken": 5}, "firebaseToken", "firebaseToken.type", "a string or an array"),
        ({"firebaseToken": {"token": "x"}}, "firebaseToken", "firebaseToken.type", "not an object"),
        (
            {"firebaseToken": ["a", 2]},
            "firebaseToken[1]",
            "firebaseToken.items",
            "item 1 is a number",
        ),
        (
            {"firebaseToken": ["a", True]},
            "firebaseToken[1]",
            "firebaseToken.items",
            "item 1 is a boolean",
        ),
        ({"address": "1 Main St"}, "address", "address.type", "should be an object"),
        (
            {"address": {"locality": 3}},
            "address.locality",
            "address.locality.type",
            "should be a string",
        ),
        ({"custom": []}, "custom", "custom.type", "should be an object"),
        (
            {"webhook": {"url": "u", "headers": {"X": 1}}},
            "webhook.headers.X",
            "webhook.headers.values",
            "`X` is a number",
        ),
        (
            {"email": "not-an-address"},
            "email",
            "email.format",
            "does not look like an email address",
        ),
        ({"email": "a@b"}, "email", "email.format", "does not look like"),
        ({"email": "Ann <ann@example.com>"}, "email", "email.format", "the bare address"),
        ({"phone_number": "call me"}, "phone_number", "phone_number.format", "E.164"),
        ({"phone_number": "12345"}, "phone_number", "phone_number.format", "has 5 digits"),
        (
            {"phone_number": "+1 555 555 5555 5555 5"},
            "phone_number",
            "phone_number.format",
            "has 16 digits",
        ),
        ({"phone_number": "555+5555555"}, "phone_number", "phone_number.format", "characters"),
        ({"locale": "english"}, "locale", "locale.format", "not a BCP 47 language tag"),
        ({"locale": "en-"}, "locale", "locale.format", "not a BCP 47"),
        ({"locale": "en_US"}, "locale", "locale.format", "BCP 47 tag uses '-': en-US"),
        ({"locale": "de_DE.UTF-8"}, "locale", "locale.format", "de-DE"),
    ],
)
def test_types_and_formats(profile: dict[str, Any], path: str, rule: str, fragment: str) -> None:
    problem = _one(profile)
    assert (problem.display_path, problem.rule, problem.severity) == (path, rule, Severity.WARNING)
    assert fragment in problem.message


@pytest.mark.parametrize(
    "number",
    [
        "555-555-5555",
        "+15555555555",
        "+1 (555) 555-5555",
        "+44 20 7946 0958",
        "555.555.5555",
        "5555555",
    ],
)
def test_phone_numbers_that_pass_silently(number: str) -> None:
    assert check_profile({"phone_number": number}) == []


def test_a_00_prefix_gets_only_a_note() -> None:
    problem = _one({"phone_number": "0044 20 7946 0958"})
    assert problem.severity is Severity.NOTE
    assert "+" in problem.message


@pytest.mark.parametrize(
    "tag",
    [
        "en",
        "en-US",
        "pt-BR",
        "zh-Hant-TW",
        "sr-Latn-RS",
        "es-419",
        "de-CH-1996",
        "en-US-x-twain",
        "x-whatever",
        "EN-us",
    ],
)
def test_bcp47_tags_that_pass(tag: str) -> None:
    assert check_profile({"locale": tag}) == []


def test_empty_strings_get_no_format_warning() -> None:
    # What a freshly inserted skeleton holds: the user is about to type.
    assert check_profile({"email": "", "phone_number": "", "locale": ""}) == []


def test_long_lists_of_wrong_items_are_reported_up_to_a_limit() -> None:
    problems = check_profile({"firebaseToken": list(range(1000))})
    assert len(problems) == 20
    assert problems[-1].path == ("firebaseToken", 19)


# --- values Courier does not know --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("webhook", "path", "severity", "fragment"),
    [
        ({"method": "PATCH"}, "webhook.method", Severity.WARNING, "not a value Courier knows"),
        ({"method": "post"}, "webhook.method", Severity.WARNING, "write it as POST"),
        (
            {"method": "GET"},
            "webhook.method",
            Severity.NOTE,
            "in Courier's docs but not in the current SDK",
        ),
        (
            {"method": "PUT"},
            "webhook.method",
            Severity.NOTE,
            "in the current SDK but not in Courier's docs",
        ),
        ({"method": ""}, "webhook.method", Severity.NOTE, "is empty"),
        (
            {"authentication": {"mode": "oauth"}},
            "webhook.authentication.mode",
            Severity.WARNING,
            "none, basic, bearer",
        ),
        (
            {"authentication": {"mode": "Basic", "username": "u", "password": "p"}},
            "webhook.authentication.mode",
            Severity.WARNING,
            "write it as basic",
        ),
        ({"profile": "full"}, "webhook.profile", Severity.WARNING, "limited, expanded"),
    ],
)
def test_webhook_values(
    webhook: dict[str, Any], path: str, severity: Severity, fragment: str
) -> None:
    problem = _one({"webhook": {"url": "https://x", **webhook}})
    assert (problem.display_path, problem.severity) == (path, severity)
    assert fragment in problem.message


def test_webhook_method_disagreement_names_both_sources() -> None:
    problem = _one({"webhook": {"url": "u", "method": "GET"}})
    assert problem.source is Source.DISAGREE
    assert "POST and PUT" in problem.message


# --- where the docs and the SDK disagree -------------------------------------------------------------


def test_apn_as_a_string_warns_and_says_why() -> None:
    problem = _one({"apn": "device-token"})
    assert problem.severity is Severity.WARNING
    assert problem.source is Source.DISAGREE
    assert problem.rule == "apn.string"
    assert "docs give `apn` as a string" in problem.message
    assert "SDK" in problem.message and '{"token": "…"}' in problem.message


def test_a_top_level_target_arn_warns_and_says_where_it_belongs() -> None:
    problem = _one({"target_arn": "arn:aws:sns:x"})
    assert problem.severity is Severity.WARNING
    assert problem.source is Source.DISAGREE
    assert "`aws_sns.target_arn`" in problem.message
    assert "ignores it" in problem.message


# --- near-miss keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "meant"),
    [
        ("phone", "phone_number"),
        ("phoneNumber", "phone_number"),
        ("PhoneNumber", "phone_number"),
        ("phone-number", "phone_number"),
        ("PHONE_NUMBER", "phone_number"),
        ("mobile", "phone_number"),
        ("Email", "email"),
        ("EMAIL", "email"),
        ("e-mail", "email"),
        ("E-Mail", "email"),
        ("email_address", "email"),
        ("emailVerified", "email_verified"),
        ("firebase_token", "firebaseToken"),
        ("FirebaseToken", "firebaseToken"),
        ("fcm_token", "firebaseToken"),
        ("one_signal_player_id", "oneSignalPlayerID"),
        ("oneSignalPlayerId", "oneSignalPlayerID"),
        ("facebook_psid", "facebookPSID"),
        ("msteams", "ms_teams"),
        ("MSTeams", "ms_teams"),
        ("apns", "apn"),
        ("first_name", "given_name"),
        ("lastName", "family_name"),
        ("timezone", "zoneinfo"),
        ("language", "locale"),
        ("Address", "address"),
        ("awsSns", "aws_sns"),
        ("targetArn", None),  # a misspelt discouraged key is not suggested
    ],
)
def test_near_miss_keys(key: str, meant: str | None) -> None:
    problems = check_profile({key: "x"})
    if meant is None:
        assert problems == []
        return
    [problem] = problems
    assert problem.path == (key,)
    assert problem.rule == f"near-miss.{meant}"
    assert problem.severity is Severity.WARNING
    assert problem.message == f"`{key}` is not a key Courier reads: did you mean `{meant}`?"


def test_near_miss_says_when_the_right_key_is_there_too() -> None:
    problem = _one({"phone_number": "+15555555555", "phone": "555"})
    assert problem.message.endswith("(`phone_number` is set too)")


@pytest.mark.parametrize(
    ("profile", "path", "meant"),
    [
        ({"address": {"zip": "75001"}}, "address.zip", "postal_code"),
        ({"address": {"city": "Paris"}}, "address.city", "locality"),
        ({"address": {"State": "CA"}}, "address.State", "region"),
        ({"slack": {"accessToken": "x", "channel": "c"}}, "slack.accessToken", "access_token"),
        ({"discord": {"channel_id": "1", "user": "u"}}, "discord.user", "user_id"),
        ({"webhook": {"url": "u", "auth": {"mode": "none"}}}, "webhook.auth", "authentication"),
    ],
)
def test_near_miss_keys_inside_known_objects(
    profile: dict[str, Any], path: str, meant: str
) -> None:
    problems = [p for p in check_profile(profile) if p.rule.startswith("near-miss")]
    assert [p.display_path for p in problems] == [path]
    assert f"did you mean `{meant}`?" in problems[0].message


def test_unknown_and_custom_subtrees_are_never_looked_into() -> None:
    profile = {
        "custom": {"phone": 1, "email": 3, "slack": {}},
        "my_data": {"email_verified": "yes", "phone": "x", "slack": {}},
        "orders": [{"email": 1}],
    }
    assert check_profile(profile) == []


# --- problems ----------------------------------------------------------------------------------------------


def test_problems_come_in_document_order_with_paths_and_keys() -> None:
    profile = {
        "zeta": 1,
        "phone": "1",
        "slack": {"access_token": "x"},
        "firebaseToken": ["a", 1],
        "email_verified": "no",
    }
    problems = check_profile(profile)
    assert [p.key for p in problems] == ["phone", "slack", "firebaseToken", "email_verified"]
    assert problems[2].path == ("firebaseToken", 1)
    assert problems[2].display_path == "firebaseToken[1]"
    assert str(problems[2]).startswith("firebaseToken[1]: ")
    assert Problem((), Severity.NOTE, "m", "r", Source.BOTH).display_path == ""


def test_every_problem_names_its_rule_and_source() -> None:
    profile = {
        "apn": "t",
        "target_arn": "a",
        "phone": "1",
        "email": "x",
        "webhook": {"method": "GET"},
        "ms_teams": {},
    }
    for problem in check_profile(profile):
        assert problem.rule
        assert isinstance(problem.source, Source)
        assert problem.message


def test_the_courier_aware_modules_import_without_pyside6() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'PySide6':\n"
        "            raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import profile_editor.core.profile.rules, profile_editor.core.profile.json_patch\n"
        "import profile_editor.core.send.curl_import\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
