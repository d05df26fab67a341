"""What Courier knows about a profile, as data: well-known fields, channel shapes, near-miss names.

The profile itself is free-form JSON; these are the keys Courier reads. Each entry says where
the rule comes from (:class:`Source`): Courier's API reference ("docs"), its official SDKs
("SDK"), both, or both in disagreement, with the reason in ``note``. Checks built on this table
live in :mod:`profile_editor.core.profile.rules`; completion uses :func:`known_fields`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from profile_editor.core.profile.jsoncodec import dumps_pretty

__all__ = ["KnownField", "Shape", "Source", "field_at", "known_fields", "top_level_fields"]


class Source(StrEnum):
    DOCS = "docs"
    SDK = "SDK"
    BOTH = "docs and SDK"
    DISAGREE = "docs and SDK disagree"


@dataclass(frozen=True)
class Shape:
    """A requirement on the keys of a known object: one of ``any_of`` must be all there.

    A key is there when its value is neither null nor ``""``. The shape is skipped when one of
    ``unless`` is there, and applies only ``when`` a key is there (``(key, None)``) or has a given
    value (``(key, value)``).
    """

    rule: str
    any_of: tuple[tuple[str, ...], ...]
    message: str
    source: Source = Source.BOTH
    unless: tuple[str, ...] = ()
    when: tuple[str, str | None] | None = None


@dataclass(frozen=True)
class KnownField:
    """One well-known key: its JSON type(s), what it is for, and what to insert when it is added.

    ``types`` are :func:`profile_editor.core.profile.jsoncodec.type_name` names. ``children`` are the known
    keys of an object value (completion after ``address.``); ``open`` objects (``custom``) are
    never looked into. ``items``/``values`` give the type of array items / object values;
    ``choices`` the allowed strings, each with its source (a value only one source allows gets a
    note, not a warning); ``format`` a named check of string values (``email``, ``phone``,
    ``locale``). ``type_notes`` replace the generic wrong-type warning for a type with a message
    of their own (where the docs and the SDK disagree). ``discouraged`` says why the key should
    not be used at all. ``aliases`` are names people write instead; they, and the key itself, are
    also recognised in other cases and with other separators (``Phone-Number``, ``phoneNumber``).
    """

    key: str
    types: tuple[str, ...]
    description: str
    skeleton: Any
    source: Source = Source.BOTH
    note: str = ""
    children: tuple[KnownField, ...] = ()
    shapes: tuple[Shape, ...] = ()
    open: bool = False
    items: str | None = None
    values: str | None = None
    choices: tuple[tuple[str, Source], ...] = ()
    format: str | None = None
    type_notes: tuple[tuple[str, str, Source], ...] = ()
    discouraged: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def json_type(self) -> str:
        """The type for display: ``"boolean"``, ``"string or array"``."""
        return " or ".join(self.types)

    def skeleton_value(self) -> Any:
        """A fresh copy of the value to insert when the key is added."""
        return copy.deepcopy(self.skeleton)

    def skeleton_text(self) -> str:
        """The skeleton as pretty JSON, for the JSON tab."""
        return dumps_pretty(self.skeleton)

    def child(self, key: str) -> KnownField | None:
        return next((c for c in self.children if c.key == key), None)


def _string(key: str, description: str, **kwargs: Any) -> KnownField:
    return KnownField(key, ("string",), description, "", **kwargs)


def _boolean(key: str, description: str, **kwargs: Any) -> KnownField:
    return KnownField(key, ("boolean",), description, False, **kwargs)


def _object(
    key: str, description: str, children: tuple[KnownField, ...], **kwargs: Any
) -> KnownField:
    skeleton = kwargs.pop("skeleton", None)
    if skeleton is None:
        skeleton = {c.key: c.skeleton_value() for c in children}
    return KnownField(key, ("object",), description, skeleton, children=children, **kwargs)


_TOKEN_SHAPE = (
    _string("token", "one device token"),
    KnownField("tokens", ("array",), "several device tokens", [], items="string"),
)


def _token_shape(rule: str, channel: str, source: Source = Source.BOTH) -> Shape:
    return Shape(rule, (("token",), ("tokens",)), f"{channel} needs `token` or `tokens`", source)


_ADDRESS = (
    _string("formatted", "the whole address as one text, lines separated by \\n"),
    _string(
        "street_address",
        "street, house number, …",
        aliases=("street", "street1", "address1", "address_line_1", "line1"),
    ),
    _string("locality", "city or town", aliases=("city", "town")),
    _string("region", "state, province, prefecture or region", aliases=("state", "province")),
    _string("postal_code", "ZIP or postal code", aliases=("zip", "zipcode", "postcode", "postal")),
    _string("country", "country name", aliases=("country_code",)),
)

_WEBHOOK_AUTH = (
    KnownField(
        "mode",
        ("string",),
        "none, basic or bearer",
        "none",
        choices=(("none", Source.BOTH), ("basic", Source.BOTH), ("bearer", Source.BOTH)),
    ),
    _string("username", "user name for basic authentication", aliases=("user",)),
    _string("password", "password for basic authentication"),
    _string("token", "token for bearer authentication"),
)

_FIELDS: tuple[KnownField, ...] = (
    # OpenID Connect standard claims, as Courier's profile reads them.
    _string(
        "email",
        "email address, for the email channel",
        format="email",
        aliases=("mail", "e_mail", "email_address", "e_mail_address"),
    ),
    _boolean(
        "email_verified",
        "whether the email address is verified (true/false)",
        aliases=("verified_email", "email_confirmed", "is_email_verified"),
    ),
    _string(
        "phone_number",
        "phone number for SMS and calls, best in E.164 form (+15555555555)",
        format="phone",
        aliases=(
            "phone",
            "mobile",
            "mobile_number",
            "mobile_phone",
            "cell",
            "cell_phone",
            "cellphone",
            "tel",
            "telephone",
            "phone_no",
            "phonenum",
            "msisdn",
            "sms",
            "sms_number",
        ),
    ),
    _boolean(
        "phone_number_verified",
        "whether the phone number is verified (true/false)",
        aliases=("phone_verified", "verified_phone", "is_phone_verified"),
    ),
    _string("name", "full name", aliases=("full_name", "display_name")),
    _string("given_name", "given (first) name", aliases=("first_name", "firstname", "forename")),
    _string("family_name", "family (last) name", aliases=("last_name", "surname")),
    _string("middle_name", "middle name"),
    _string("nickname", "casual name"),
    _string(
        "preferred_name",
        "the name the person prefers to be called by",
        aliases=("preferred_username",),
    ),
    _string("gender", "gender"),
    _string(
        "birthdate", "birthday, YYYY-MM-DD (or YYYY)", aliases=("birthday", "dob", "date_of_birth")
    ),
    _string(
        "locale",
        "language and region as a BCP 47 tag, e.g. en-US",
        format="locale",
        aliases=("language", "lang"),
    ),
    _string(
        "zoneinfo",
        "time zone from the tz database, e.g. Europe/Paris",
        aliases=("timezone", "time_zone", "tz"),
    ),
    _string(
        "picture", "URL of a profile picture", aliases=("avatar", "avatar_url", "photo", "image")
    ),
    _string("profile", "URL of a profile page"),
    _string("website", "URL of a web page or blog", aliases=("homepage",)),
    _string("sub", "subject identifier"),
    KnownField("updated_at", ("string", "number"), "when the profile was last updated", ""),
    _object("address", "postal address (six fields)", _ADDRESS),
    KnownField("custom", ("object",), "free-form data of your own", {}, open=True),
    # Channels.
    KnownField(
        "firebaseToken",
        ("string", "array"),
        "Firebase Cloud Messaging device token, or a list of them",
        "",
        items="string",
        aliases=("fcm_token", "fcm", "firebase_tokens", "fcm_tokens"),
    ),
    _object(
        "apn",
        "Apple Push Notification service: {token} or {tokens}",
        _TOKEN_SHAPE,
        skeleton={"token": ""},
        shapes=(_token_shape("apn.token", "APN", Source.SDK),),
        source=Source.DISAGREE,
        note="The docs give apn as a string; the current SDK as {token} or {tokens} and rejects a bare string.",
        type_notes=(
            (
                "string",
                "Courier's docs give `apn` as a string, but the current SDK expects "
                '{"token": …} or {"tokens": […]} and rejects a bare string: write {"token": "…"}',
                Source.DISAGREE,
            ),
        ),
        aliases=("apns", "apns_token", "apn_token"),
    ),
    _object(
        "expo",
        "Expo push: {token} or {tokens}",
        _TOKEN_SHAPE,
        skeleton={"token": ""},
        shapes=(_token_shape("expo.token", "Expo"),),
        aliases=("expo_token", "expo_push_token"),
    ),
    _object(
        "airship",
        "Airship push: {audience: {named_user}, device_types}",
        (
            _object(
                "audience",
                "whom Airship sends to",
                (_string("named_user", "Airship named user"),),
                shapes=(
                    Shape(
                        "airship.audience.named_user",
                        (("named_user",),),
                        "Airship's audience needs `named_user`",
                    ),
                ),
            ),
            KnownField(
                "device_types",
                ("array",),
                'Airship device types, e.g. ["ios", "android"]',
                [],
                items="string",
            ),
        ),
        shapes=(
            Shape(
                "airship.audience", (("audience",),), 'Airship needs `audience` ({"named_user": …})'
            ),
        ),
        aliases=("urban_airship",),
    ),
    _object(
        "aws_sns",
        "Amazon SNS: {target_arn}",
        (_string("target_arn", "ARN of the SNS endpoint or topic", aliases=("arn", "targetArn")),),
        shapes=(Shape("aws_sns.target_arn", (("target_arn",),), "Amazon SNS needs `target_arn`"),),
        aliases=("sns", "amazon_sns", "awssns"),
    ),
    _string(
        "oneSignalPlayerID",
        "OneSignal player ID",
        aliases=("one_signal_player_id", "onesignal_id", "one_signal_id"),
    ),
    _object(
        "slack",
        "Slack: {access_token} + one of channel, email, user_id; or {incoming_webhook: {url}}",
        (
            _string("access_token", "Slack bot token (xoxb-…)", aliases=("token", "bot_token")),
            _string("channel", "channel ID or name", aliases=("channel_id", "channel_name")),
            _string("email", "email of the Slack user to message"),
            _string("user_id", "Slack user ID", aliases=("user",)),
            _object(
                "incoming_webhook",
                "an incoming webhook instead of a token",
                (_string("url", "the webhook URL"),),
                shapes=(
                    Shape(
                        "slack.incoming_webhook.url",
                        (("url",),),
                        "Slack's `incoming_webhook` needs `url`",
                    ),
                ),
                aliases=("webhook", "webhook_url"),
            ),
        ),
        skeleton={"access_token": "", "channel": ""},
        shapes=(
            Shape(
                "slack.access_token",
                (("access_token",),),
                "Slack needs `access_token` (or an `incoming_webhook` with its `url`)",
                unless=("incoming_webhook",),
            ),
            Shape(
                "slack.recipient",
                (("channel",), ("email",), ("user_id",)),
                "Slack needs one of `channel`, `email` or `user_id` to know where to post",
                unless=("incoming_webhook",),
            ),
        ),
    ),
    _object(
        "ms_teams",
        "Microsoft Teams: {service_url, tenant_id} + user_id, email, channel_id, conversation_id or {channel_name, team_id}",
        (
            _string("service_url", "Bot Framework service URL", aliases=("serviceurl",)),
            _string("tenant_id", "Microsoft 365 tenant ID", aliases=("tenant",)),
            _string("user_id", "Teams user ID", aliases=("user",)),
            _string("email", "email of the Teams user"),
            _string("channel_id", "Teams channel ID"),
            _string("conversation_id", "existing conversation ID"),
            _string("channel_name", "channel name (with team_id)"),
            _string("team_id", "team ID (with channel_name)"),
        ),
        skeleton={"service_url": "", "tenant_id": "", "user_id": ""},
        shapes=(
            Shape("ms_teams.service_url", (("service_url",),), "MS Teams needs `service_url`"),
            Shape("ms_teams.tenant_id", (("tenant_id",),), "MS Teams needs `tenant_id`"),
            Shape(
                "ms_teams.recipient",
                (
                    ("user_id",),
                    ("email",),
                    ("channel_id",),
                    ("conversation_id",),
                    ("channel_name", "team_id"),
                ),
                "MS Teams needs a recipient: `user_id`, `email`, `channel_id`, `conversation_id`, or `channel_name` with `team_id`",
                unless=("channel_name",),  # then the team_id rule below says what is missing
            ),
            Shape(
                "ms_teams.team_id",
                (("team_id",),),
                "MS Teams' `channel_name` needs `team_id` too",
                when=("channel_name", None),
            ),
        ),
        aliases=("msteams", "teams", "microsoft_teams"),
    ),
    _object(
        "discord",
        "Discord: {channel_id} or {user_id}",
        (
            _string("channel_id", "Discord channel ID", aliases=("channel",)),
            _string("user_id", "Discord user ID", aliases=("user",)),
        ),
        skeleton={"channel_id": ""},
        shapes=(
            Shape(
                "discord.recipient",
                (("channel_id",), ("user_id",)),
                "Discord needs `channel_id` or `user_id`",
            ),
        ),
    ),
    _object(
        "intercom",
        "Intercom: {from, to: {id}}",
        (
            _string("from", "the admin ID messages come from"),
            _object(
                "to",
                "the Intercom user",
                (_string("id", "Intercom user ID"),),
                shapes=(Shape("intercom.to.id", (("id",),), "Intercom's `to` needs `id`"),),
            ),
        ),
        shapes=(
            Shape("intercom.from", (("from",),), "Intercom needs `from`"),
            Shape("intercom.to", (("to",),), 'Intercom needs `to` ({"id": …})'),
        ),
    ),
    _string(
        "facebookPSID",
        "Facebook Messenger page-scoped ID",
        aliases=("facebook_psid", "fb_psid", "psid"),
    ),
    _object(
        "webhook",
        "webhook: {url, method, headers, authentication, profile}",
        (
            _string("url", "where Courier sends the request", aliases=("uri", "endpoint")),
            KnownField(
                "method",
                ("string",),
                "POST (the default), GET or PUT",
                "POST",
                source=Source.DISAGREE,
                note="The docs allow POST and GET, the SDK POST and PUT.",
                choices=(("POST", Source.BOTH), ("GET", Source.DOCS), ("PUT", Source.SDK)),
            ),
            KnownField(
                "headers", ("object",), "extra request headers, name → value", {}, values="string"
            ),
            _object(
                "authentication",
                "none, basic (username, password) or bearer (token)",
                _WEBHOOK_AUTH,
                skeleton={"mode": "none"},
                shapes=(
                    Shape(
                        "webhook.authentication.mode",
                        (("mode",),),
                        "webhook `authentication` needs `mode` (none, basic or bearer)",
                    ),
                    Shape(
                        "webhook.authentication.basic",
                        (("username", "password"),),
                        "basic authentication needs `username` and `password`",
                        when=("mode", "basic"),
                    ),
                    Shape(
                        "webhook.authentication.bearer",
                        (("token",),),
                        "bearer authentication needs `token`",
                        when=("mode", "bearer"),
                    ),
                ),
                aliases=("auth",),
            ),
            KnownField(
                "profile",
                ("string",),
                "how much of the profile is sent: limited or expanded",
                "limited",
                choices=(("limited", Source.BOTH), ("expanded", Source.BOTH)),
            ),
        ),
        skeleton={"url": "", "method": "POST"},
        shapes=(Shape("webhook.url", (("url",),), "webhook needs `url`"),),
        aliases=("web_hook",),
    ),
    _object(
        "pagerduty",
        "PagerDuty: {routing_key, event_action, severity, source}",
        (
            _string("routing_key", "integration (routing) key", aliases=("integration_key",)),
            _string("event_action", "trigger, acknowledge or resolve"),
            _string("severity", "critical, error, warning or info"),
            _string("source", "where the event comes from"),
        ),
        skeleton={"routing_key": ""},
        shapes=(
            Shape("pagerduty.routing_key", (("routing_key",),), "PagerDuty needs `routing_key`"),
        ),
        aliases=("pager_duty",),
    ),
    _string(
        "target_arn",
        "Amazon SNS ARN at the top level, as the docs show it",
        source=Source.DISAGREE,
        note="The docs put target_arn at the top level; the current SDK ignores it there.",
        discouraged="Courier's docs put `target_arn` at the top level, but the current SDK "
        "ignores it there: move it to `aws_sns.target_arn`",
    ),
)

_BY_KEY = {f.key: f for f in _FIELDS}


def known_fields(
    path: tuple[str, ...] = (), *, include_discouraged: bool = False
) -> tuple[KnownField, ...]:
    """The known keys at ``path``: ``()`` the top level, ``("address",)`` inside ``address``.

    For completion: an unknown path, or one into a free-form object, has none. Keys the docs
    show but the SDK ignores (a top-level ``target_arn``) are left out unless asked for.
    """
    if not path:
        fields = _FIELDS
    else:
        parent = field_at(path)
        fields = parent.children if parent is not None else ()
    return tuple(f for f in fields if include_discouraged or not f.discouraged)


def field_at(path: tuple[str, ...]) -> KnownField | None:
    """The known field at ``path`` (``("slack", "access_token")``), or None."""
    if not path:
        return None
    found = _BY_KEY.get(path[0])
    for key in path[1:]:
        found = found.child(key) if found is not None else None
    return found


def top_level_fields() -> dict[str, KnownField]:
    """Key → field for the top level (read-only; shared)."""
    return _BY_KEY
