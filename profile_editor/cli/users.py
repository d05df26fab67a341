"""``preferences``, ``tokens`` and ``tenants``: the rest of a recipient, with ``send``'s rules.

Every write is checked before anything is sent (IDs, key, a REQUIRED topic opted out), asks first
where the window does (a protected environment; deleting a token or leaving a tenant), is read
back afterwards to say whether the stored state is what was asked (exit 4 when it is not), and is
one history entry with the state before and after.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from profile_editor.cli.exits import Exit, UsageError, exit_for
from profile_editor.cli.output import Output, outcome_doc

if TYPE_CHECKING:
    from pydantic import BaseModel

    from profile_editor.cli.context import Context
    from profile_editor.core.http.models import Outcome
    from profile_editor.core.send.plan import Confirmation
    from profile_editor.core.users.execute import UsersRequest
    from profile_editor.core.users.plan import PreferenceChange, UsersPlan
    from profile_editor.core.users.preferences import TopicPreference
    from profile_editor.core.users.tenants import TenantAssociation
    from profile_editor.core.users.tokens import UserToken

Reread = Callable[[], "tuple[Outcome, Any]"]
"""Reads the written thing back: the outcome and the state (None: it is not there)."""
Check = Callable[[Any], "list[str]"]
"""What differs between what was asked and the state read back (empty: it is what was asked)."""

M = TypeVar("M", bound="BaseModel")

_NOUNS = {"preferences": "preference", "tokens": "token", "tenants": "membership"}


# --- sending ---------------------------------------------------------------------------------


def _retry_note(out: Output) -> Any:
    from profile_editor.core.http.outcome_text import retry_line

    def note(n: int, total: int, delay: float, reason: str) -> None:
        out.say(retry_line(reason, n, total, delay))

    return note


def _plan(
    ctx: Context, request: UsersRequest, what: str = "", ask: Confirmation | None = None
) -> UsersPlan:
    """The core's checks (IDs, key, plain HTTP) and questions; a refusal exits 2, nothing sent."""
    from profile_editor.core.send.plan import Refusal
    from profile_editor.core.users.plan import plan_request

    planned = plan_request(request, ctx.target(), what, ask=ask)
    if isinstance(planned, Refusal):
        raise ctx.refused(planned)
    return planned


def _execute(ctx: Context, out: Output, request: UsersRequest) -> Outcome:
    from profile_editor.core.users.execute import execute_users

    _plan(ctx, request)
    return execute_users(
        ctx.session().client(), request, ctx.where().key, on_retry=_retry_note(out)
    )


def _failed(out: Output, verb: str, outcome: Outcome, doc: dict[str, Any]) -> int:
    from profile_editor.core.http.outcome_text import failure_line

    out.document({**doc, **outcome_doc(outcome)})
    out.say(failure_line(verb, outcome))
    return exit_for(outcome)


def _dump(value: Any) -> Any:
    """A model as its JSON object (unset members left out); None stays None."""
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_none=True)
    return value


def _record(ctx: Context, request: UsersRequest, outcome: Outcome, before: Any, after: Any) -> None:
    from profile_editor.storage.errors import StorageError
    from profile_editor.storage.history import HistoryEntry

    entry = HistoryEntry.of_request(
        request,  # type: ignore[arg-type]  # any request of the ApiRequest shape, with a resource
        outcome,
        environment=ctx.where().environment,
        before=_dump(before),
        after=_dump(after),
        source="cli",
    )
    try:
        ctx.history().append(entry, secrets=ctx.secrets())
    except (StorageError, OSError) as exc:
        print(f"Could not write the history: {exc}", file=sys.stderr)


def _write(
    ctx: Context,
    out: Output,
    planned: UsersPlan,
    *,
    doc: dict[str, Any],
    before: Any,
    reread: Reread | None,
    check: Check,
    no_verify: bool,
) -> int:
    """Ask, send, then (unless ``no_verify``) read back and check; history either way."""
    from profile_editor.cli.confirm import confirmed
    from profile_editor.core.http.outcome_text import send_line

    if not confirmed(ctx, out, planned.confirmations):
        raise UsageError("Not sent: cancelled at the confirmation.")
    request = planned.request
    doc = {
        "recipient_id": request.user_id,
        "resource": request.resource,
        "method": request.method.value,
        "environment": planned.target.environment,
        "base_url": planned.target.base_url,
        **doc,
        "before": _dump(before),
    }
    outcome = _execute(ctx, out, request)
    doc.update(outcome_doc(outcome))
    if not outcome.ok:
        _record(ctx, request, outcome, before, None)
        return _failed(out, request.verb, outcome, doc)
    out.say(send_line(outcome))
    if no_verify or reread is None:
        _record(ctx, request, outcome, before, None)
        out.document(doc)
        return Exit.OK
    again, after = reread()
    _record(ctx, request, outcome, before, after if again.ok else None)
    if not again.ok:
        doc["verification"] = {"checked": False, **outcome_doc(again)}
        out.document(doc)
        out.say(f"Sent, but could not verify: {again.summary}. {again.message}".rstrip())
        return exit_for(again)
    differences = check(after)
    doc["verification"] = {
        "checked": True,
        "matches": not differences,
        "differences": differences,
        "stored": _dump(after),
    }
    out.document(doc)
    noun = _NOUNS[request.resource]
    if differences:
        listed = " ".join(differences[:5]) + ("…" if len(differences) > 5 else "")
        out.say(f"MISMATCH: the stored {noun} is not what was asked. {listed}")
        return Exit.MISMATCH
    out.say(f"verified: the stored {noun} is what was asked")
    return Exit.OK


def _read_json_file(source: str, what: str) -> Any:
    from profile_editor.cli.body import read_text
    from profile_editor.core.profile.jsoncodec import JsonProblem, parse_value

    text, name = read_text(source)
    try:
        return parse_value(text)
    except JsonProblem as problem:
        raise UsageError(f"{name}: {what}: {problem}") from None


def _answered(model: type[M], outcome: Outcome, member: str | None = None) -> M | None:
    """What a successful read answered (its body, or the body's ``member``) as ``model``, or
    None when the read failed or the answer is not one."""
    from pydantic import ValidationError

    if not outcome.ok:
        return None
    body = outcome.body
    if member is not None:
        if not isinstance(body, dict):
            return None
        body = body.get(member)
    try:
        return model.model_validate(body)
    except ValidationError:
        return None


def _first_error(exc: Any) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error.get("loc", ())) or "the value"
    return f"{where}: {error.get('msg', 'invalid')}"


# --- preferences -----------------------------------------------------------------------------


def _topic_line(topic: TopicPreference) -> str:
    parts = [topic.topic_id, topic.status.value]
    if topic.default_status is not topic.status:
        parts.append(f"(default {topic.default_status.value})")
    if topic.routing is not None:
        parts.append("via " + (", ".join(c.value for c in topic.routing) or "no channels"))
    if topic.digest_schedule_id:
        parts.append(f"digest {topic.digest_schedule_id}")
    if topic.topic_name and topic.topic_name != topic.topic_id:
        parts.append(f"“{topic.topic_name}”")
    if topic.section_name:
        parts.append(f"[{topic.section_name}]")
    return "  ".join(parts)


def _topic_of(outcome: Outcome) -> TopicPreference | None:
    """The topic a successful read answered, or None."""
    from profile_editor.core.users.preferences import TopicPreference

    return _answered(TopicPreference, outcome, "topic")


def _read_topic(ctx: Context, out: Output, args: argparse.Namespace) -> Reread:
    from profile_editor.core.users.preferences import GetTopicPreferenceRequest

    def read() -> tuple[Outcome, TopicPreference | None]:
        request = GetTopicPreferenceRequest(
            base_url=ctx.where().base_url,
            user_id=args.recipient_id,
            topic_id=args.topic,
            tenant_id=args.tenant_id,
        )
        outcome = _execute(ctx, out, request)
        return outcome, _topic_of(outcome)

    return read


def _topic_doc(args: argparse.Namespace) -> dict[str, Any]:
    return {"recipient_id": args.recipient_id, "topic_id": args.topic, "tenant_id": args.tenant_id}


def _write_preference(
    ctx: Context,
    out: Output,
    args: argparse.Namespace,
    request: UsersRequest,
    what: str,
    asked: PreferenceChange,
    stored: TopicPreference,
    read: Reread,
) -> int:
    """Set or reset one topic, then read it back to check it is what was ``asked``."""
    from profile_editor.core.users.plan import check_preferences, describe

    return _write(
        ctx,
        out,
        _plan(ctx, request, what),
        doc={**_topic_doc(args), "change": describe(asked)},
        before=stored,
        reread=read,
        check=lambda after: check_preferences([asked], [after] if after else []),
        no_verify=args.no_verify,
    )


def preferences_list(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from profile_editor.core.users.preferences import GetPreferencesRequest, PreferencesAnswer

    request = GetPreferencesRequest(
        base_url=ctx.where().base_url, user_id=args.recipient_id, tenant_id=args.tenant_id
    )
    outcome = _execute(ctx, out, request)
    doc: dict[str, Any] = {"recipient_id": args.recipient_id, "tenant_id": args.tenant_id}
    if not outcome.ok:
        return _failed(out, request.verb, outcome, doc)
    topics = PreferencesAnswer.model_validate(outcome.body).items  # checked by execute_users
    out.document({**doc, **outcome_doc(outcome), "preferences": [_dump(t) for t in topics]})
    out.text("\n".join(_topic_line(t) for t in topics) or "(no topic overridden)")
    return Exit.OK


def preferences_get(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    outcome, topic = _read_topic(ctx, out, args)()
    if topic is None:
        return _failed(out, "Read a topic preference", outcome, _topic_doc(args))
    out.document({**_topic_doc(args), **outcome_doc(outcome), "topic": _dump(topic)})
    out.text(_topic_line(topic))
    return Exit.OK


def preferences_set(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from profile_editor.core.send.plan import Refusal
    from profile_editor.core.users.plan import (
        PreferenceChange,
        StagedPreference,
        describe,
        plan_preferences,
    )
    from profile_editor.core.users.preferences import (
        PreferenceStatus,
        PutTopicPreferenceRequest,
        parse_channels,
        parse_status,
    )

    try:
        status = parse_status(args.status)
        channels = parse_channels(args.channels) if args.channels is not None else None
    except ValueError as exc:
        raise UsageError(f"Not sent: {exc}") from None
    if channels == ():
        raise UsageError(
            "Not sent: --channels needs at least one channel; --no-custom-routing drops them."
        )
    if status is PreferenceStatus.REQUIRED:
        raise UsageError(
            f"Not sent: {args.topic}: REQUIRED is a topic's default set by the workspace, not a "
            "user's choice; choose OPTED_IN or OPTED_OUT."
        )
    common = {
        "base_url": ctx.where().base_url,
        "user_id": args.recipient_id,
        "topic_id": args.topic,
        "tenant_id": args.tenant_id,
    }
    # Checked (IDs, key) before the read that the preview, the REQUIRED check and history need.
    _plan(ctx, PutTopicPreferenceRequest(**common, status=status))
    read = _read_topic(ctx, out, args)
    current, stored = read()
    if stored is None:
        return _failed(out, "Read a topic preference", current, _topic_doc(args))
    staged = StagedPreference(args.topic, status, channels)
    planned = plan_preferences([staged], [stored])
    if isinstance(planned, Refusal):
        raise UsageError(f"Not sent: {planned.message.removesuffix(' Nothing was sent.')}")
    # The routing sent: the channels given, none (--no-custom-routing), else the current ones
    # (a PUT replaces the routing fields, so leaving them out would drop them).
    routing = None if args.no_custom_routing else channels if channels else stored.routing
    asked = PreferenceChange(
        args.topic, stored.name, stored.status, status, stored.routing, routing,
        stored.default_status,
    )  # fmt: skip
    fields: dict[str, Any] = {"has_custom_routing": routing is not None, "custom_routing": routing}
    if args.digest_schedule is not None:
        fields["digest_schedule_id"] = args.digest_schedule
    elif args.clear_digest:
        fields["digest_schedule_id"] = None
    request = PutTopicPreferenceRequest(**common, status=status, **fields)
    out.say(describe(asked) if planned else f"{stored.name}: already {status.value}.")
    what = f"Set {stored.name} to {status.value} for “{args.recipient_id}”"
    return _write_preference(ctx, out, args, request, what, asked, stored, read)


def preferences_reset(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from profile_editor.core.users.plan import PreferenceChange, describe
    from profile_editor.core.users.preferences import ResetTopicPreferenceRequest

    request = ResetTopicPreferenceRequest(
        base_url=ctx.where().base_url,
        user_id=args.recipient_id,
        topic_id=args.topic,
        tenant_id=args.tenant_id,
    )
    _plan(ctx, request)
    read = _read_topic(ctx, out, args)
    current, stored = read()
    if stored is None:
        return _failed(out, "Read a topic preference", current, _topic_doc(args))
    asked = PreferenceChange(
        args.topic, stored.name, stored.status, stored.default_status, stored.routing, None,
        stored.default_status, reset=True,
    )  # fmt: skip
    out.say(describe(asked))
    what = f"Reset {stored.name} to its default for “{args.recipient_id}”"
    return _write_preference(ctx, out, args, request, what, asked, stored, read)


# --- tokens ----------------------------------------------------------------------------------


def _token_line(token: UserToken, today: date | None = None) -> str:
    from profile_editor.core.users.tokens import expiry_day

    parts = [token.short, token.provider_key.value]
    if token.device is not None:
        parts += [v for v in (token.device.platform, token.device.app_id) if v]
    if token.expiry_date is False:
        parts.append("never expires")
    elif token.expiry_date:
        # As the window's Devices tab: a token past its date must not read as just "active".
        day = expiry_day(token.expiry_date)
        past = day is not None and day < (today or date.today())
        parts.append(f"{'EXPIRED' if past else 'expires'} {token.expiry_date}")
    if token.status is not None:
        reason = f" ({token.status_reason})" if token.status_reason else ""
        parts.append(f"{token.status.value}{reason}")
    return "  ".join(parts)


def _token_of(outcome: Outcome) -> UserToken | None:
    """The token a successful read answered, or None."""
    from profile_editor.core.users.tokens import UserToken

    return _answered(UserToken, outcome)


def _read_token(ctx: Context, out: Output, user_id: str, token: str) -> Reread:
    """Reads the token; a 404 is a state too (the token is not there), not a failed read."""
    from dataclasses import replace

    from profile_editor.core.http.models import OutcomeKind
    from profile_editor.core.users.tokens import GetTokenRequest

    def read() -> tuple[Outcome, UserToken | None]:
        request = GetTokenRequest(base_url=ctx.where().base_url, user_id=user_id, token=token)
        outcome = _execute(ctx, out, request)
        if outcome.status_code == 404:
            return replace(outcome, kind=OutcomeKind.SUCCESS), None
        return outcome, _token_of(outcome)

    return read


def _token_doc(args: argparse.Namespace) -> dict[str, Any]:
    from profile_editor.core.users.tokens import shorten_token

    # The token in full is what the user typed; output shows it shortened, like the window.
    return {"recipient_id": args.recipient_id, "token": shorten_token(args.token)}


def tokens_list(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from profile_editor.core.users.tokens import ListTokensRequest, TokensAnswer

    request = ListTokensRequest(base_url=ctx.where().base_url, user_id=args.recipient_id)
    outcome = _execute(ctx, out, request)
    doc: dict[str, Any] = {"recipient_id": args.recipient_id}
    if not outcome.ok:
        return _failed(out, request.verb, outcome, doc)
    tokens = TokensAnswer.model_validate(outcome.body).tokens  # checked by execute_users
    out.document({**doc, **outcome_doc(outcome), "tokens": [_dump(t) for t in tokens]})
    out.text("\n".join(_token_line(t) for t in tokens) or "(no device tokens)")
    return Exit.OK


def tokens_get(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from profile_editor.core.users.tokens import GetTokenRequest

    request = GetTokenRequest(
        base_url=ctx.where().base_url, user_id=args.recipient_id, token=args.token
    )
    outcome = _execute(ctx, out, request)
    token = _token_of(outcome)
    if token is None:
        return _failed(out, request.verb, outcome, _token_doc(args))
    out.document({**_token_doc(args), **outcome_doc(outcome), "user_token": _dump(token)})
    out.text(_token_line(token))
    return Exit.OK


def _expiry(text: str) -> Any:
    from profile_editor.core.users.tokens import parse_expiry

    try:
        return parse_expiry(text)
    except ValueError as exc:
        raise UsageError(f"Not sent: --expiry: {exc}") from None


def _stored_before(
    ctx: Context, out: Output, request: UsersRequest, read: Reread, doc: dict[str, Any]
) -> tuple[Any, int | None]:
    """The state before a write (None: not there), or the exit code of a failed read; the write
    is checked first (IDs, key: a refusal exits 2 with nothing read or sent)."""
    _plan(ctx, request)
    outcome, state = read()
    if not outcome.ok:
        return None, _failed(out, "Read", outcome, doc)
    return state, None


def tokens_add(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from profile_editor.core.users.plan import check_token
    from profile_editor.core.users.tokens import PutTokenRequest, UserToken

    fields: dict[str, Any] = {}
    if args.file:
        value = _read_json_file(args.file, "the token")
        if not isinstance(value, dict):
            raise UsageError(f"{args.file}: the token must be a JSON object {{ … }}")
        fields.update(value)
        if "token" in fields and fields["token"] != args.token:
            raise UsageError(
                f"Not sent: the token in {args.file} is not the TOKEN given: Courier needs the "
                "token in the body to equal the one in the path."
            )
    fields["token"] = args.token
    if args.provider:
        fields["provider_key"] = args.provider
    if "provider_key" not in fields:
        raise UsageError("Not sent: --provider is required (firebase-fcm, apn, expo or onesignal).")
    device = dict(fields.get("device") or {})
    for name in ("platform", "app_id", "device_id", "ad_id", "manufacturer", "model"):
        given = getattr(args, name)
        if given is not None:
            device[name] = given
    if device:
        fields["device"] = device
    if args.expiry is not None:
        fields["expiry_date"] = _expiry(args.expiry)
    try:
        token = UserToken.model_validate(fields)
    except ValidationError as exc:
        raise UsageError(f"Not sent: the token is not valid: {_first_error(exc)}") from None
    request = PutTokenRequest(
        base_url=ctx.where().base_url, user_id=args.recipient_id, user_token=token
    )
    read = _read_token(ctx, out, args.recipient_id, args.token)
    before, failed = _stored_before(ctx, out, request, read, _token_doc(args))
    if failed is not None:
        return failed
    if before is not None:
        out.say(f"The token {token.short} is registered already: it will be overwritten.")
    what = f"Register the token {token.short} for “{args.recipient_id}”"
    return _write(
        ctx,
        out,
        _plan(ctx, request, what),
        doc=_token_doc(args),
        before=before,
        reread=read,
        check=lambda after: check_token(token, after, args.token),
        no_verify=args.no_verify,
    )


def tokens_patch(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from profile_editor.core.users.plan import check_token
    from profile_editor.core.users.tokens import (
        PatchTokenRequest,
        TokenOp,
        TokenStatus,
        apply_token_ops,
        expiry_op,
        shorten_token,
        status_op,
    )

    ops: list[TokenOp] = []
    if args.file:
        value = _read_json_file(args.file, "the patch")
        if isinstance(value, dict) and set(value) == {"patch"}:
            value = value["patch"]
        if not isinstance(value, list) or not all(isinstance(op, dict) for op in value):
            raise UsageError(
                f'{args.file}: a patch is a JSON array of operations, e.g. [{{"op": …}}]'
            )
        for n, op in enumerate(value, start=1):
            try:
                ops.append(TokenOp.model_validate(op))
            except ValidationError as exc:
                raise UsageError(f"{args.file}: operation {n}: {_first_error(exc)}") from None
    if args.status is not None:
        try:
            ops.append(status_op(TokenStatus(args.status.strip().lower())))
        except ValueError:
            choices = ", ".join(s.value for s in TokenStatus)
            raise UsageError(
                f"Not sent: --status “{args.status}” is not one of {choices}."
            ) from None
    if args.expiry is not None:
        ops.append(expiry_op(_expiry(args.expiry)))
    if not ops:
        raise UsageError("Not sent: nothing to change: give --status, --expiry or --file.")
    request = PatchTokenRequest(
        base_url=ctx.where().base_url, user_id=args.recipient_id, token=args.token, ops=tuple(ops)
    )
    read = _read_token(ctx, out, args.recipient_id, args.token)
    before, failed = _stored_before(ctx, out, request, read, _token_doc(args))
    if failed is not None:
        return failed
    if before is None:
        out.document({**_token_doc(args), "ok": False, "status": 404})
        out.say(
            f"Not sent: “{args.recipient_id}” has no token {shorten_token(args.token)} to change."
        )
        return Exit.API_ERROR
    try:
        expected = apply_token_ops(before, ops)
    except ValueError as exc:
        raise UsageError(f"Not sent: {exc}") from None
    what = f"Change the token {before.short} of “{args.recipient_id}”"
    return _write(
        ctx,
        out,
        _plan(ctx, request, what),
        doc=_token_doc(args),
        before=before,
        reread=read,
        check=lambda after: check_token(expected, after, args.token),
        no_verify=args.no_verify,
    )


def tokens_delete(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from profile_editor.core.send.plan import Confirmation
    from profile_editor.core.users.plan import check_token
    from profile_editor.core.users.tokens import DeleteTokenRequest, shorten_token

    request = DeleteTokenRequest(
        base_url=ctx.where().base_url, user_id=args.recipient_id, token=args.token
    )
    read = _read_token(ctx, out, args.recipient_id, args.token)
    before, failed = _stored_before(ctx, out, request, read, _token_doc(args))
    if failed is not None:
        return failed
    short = shorten_token(args.token)
    if before is None:
        out.say(f"“{args.recipient_id}” has no token {short}: deleting it changes nothing.")
    ask = Confirmation(
        "Delete this device?",
        f"Delete the token {short} of “{args.recipient_id}”? Push no longer reaches that device.",
        "",
        "Delete",
    )
    return _write(
        ctx,
        out,
        _plan(ctx, request, f"Delete the token {short} of “{args.recipient_id}”", ask),
        doc=_token_doc(args),
        before=before,
        reread=read,
        check=lambda after: check_token(None, after, args.token),
        no_verify=args.no_verify,
    )


# --- tenants ---------------------------------------------------------------------------------


def _read_tenants(ctx: Context, out: Output, user_id: str) -> Any:
    from profile_editor.core.users.tenants import ListTenantsRequest, fetch_all_tenants

    _plan(ctx, ListTenantsRequest(base_url=ctx.where().base_url, user_id=user_id))
    return fetch_all_tenants(
        ctx.session().client(),
        ctx.where().base_url,
        user_id,
        ctx.where().key,
        on_retry=_retry_note(out),
    )


def _read_tenant(ctx: Context, out: Output, user_id: str, tenant_id: str) -> Reread:
    def read() -> tuple[Outcome, TenantAssociation | None]:
        result = _read_tenants(ctx, out, user_id)
        found = next((t for t in result.tenants if t.tenant_id == tenant_id), None)
        return result.outcome, found if result.ok else None

    return read


def _tenant_line(tenant: TenantAssociation) -> str:
    from profile_editor.core.profile.jsoncodec import dumps_compact

    return tenant.tenant_id + (f"  {dumps_compact(tenant.profile)}" if tenant.profile else "")


def _tenant_doc(args: argparse.Namespace) -> dict[str, Any]:
    return {"recipient_id": args.recipient_id, "tenant_id": args.tenant}


def tenants_list(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    result = _read_tenants(ctx, out, args.recipient_id)
    doc: dict[str, Any] = {"recipient_id": args.recipient_id}
    if not result.ok:
        return _failed(out, "Read tenants", result.outcome, doc)
    out.document(
        {
            **doc,
            **outcome_doc(result.outcome),
            "pages": result.pages,
            "tenants": [_dump(t) for t in result.tenants],
        }
    )
    out.text("\n".join(_tenant_line(t) for t in result.tenants) or "(in no tenant)")
    return Exit.OK


def tenants_add(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from profile_editor.core.users.plan import check_tenant
    from profile_editor.core.users.tenants import PutTenantRequest, TenantAssociation

    profile = None
    if args.profile:
        profile = _read_json_file(args.profile, "the per-tenant profile")
        if (
            isinstance(profile, dict)
            and set(profile) == {"profile"}
            and isinstance(profile["profile"], dict)
        ):
            profile = profile["profile"]
        if not isinstance(profile, dict):
            raise UsageError(
                f"{args.profile}: the per-tenant profile must be a JSON object {{ … }}"
            )
    request = PutTenantRequest(
        base_url=ctx.where().base_url,
        user_id=args.recipient_id,
        tenant_id=args.tenant,
        profile=profile,
    )
    read = _read_tenant(ctx, out, args.recipient_id, args.tenant)
    before, failed = _stored_before(ctx, out, request, read, _tenant_doc(args))
    if failed is not None:
        return failed
    asked = TenantAssociation(tenant_id=args.tenant, profile=profile)
    what = f"Add “{args.recipient_id}” to the tenant {args.tenant}"
    return _write(
        ctx,
        out,
        _plan(ctx, request, what),
        doc=_tenant_doc(args),
        before=before,
        reread=read,
        check=lambda after: check_tenant(asked, after, args.tenant),
        no_verify=args.no_verify,
    )


def tenants_remove(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    from profile_editor.core.send.plan import Confirmation
    from profile_editor.core.users.plan import check_tenant
    from profile_editor.core.users.tenants import RemoveTenantRequest

    request = RemoveTenantRequest(
        base_url=ctx.where().base_url, user_id=args.recipient_id, tenant_id=args.tenant
    )
    read = _read_tenant(ctx, out, args.recipient_id, args.tenant)
    before, failed = _stored_before(ctx, out, request, read, _tenant_doc(args))
    if failed is not None:
        return failed
    if before is None:
        out.say(
            f"“{args.recipient_id}” is not in the tenant {args.tenant}: removing changes nothing."
        )
    ask = Confirmation(
        "Remove from this tenant?",
        f"Remove “{args.recipient_id}” from the tenant {args.tenant}, with its per-tenant profile?",
        "",
        "Remove",
    )
    what = f"Remove “{args.recipient_id}” from the tenant {args.tenant}"
    return _write(
        ctx,
        out,
        _plan(ctx, request, what, ask),
        doc=_tenant_doc(args),
        before=before,
        reread=read,
        check=lambda after: check_tenant(None, after, args.tenant),
        no_verify=args.no_verify,
    )


_COMMANDS: dict[tuple[str, str], Callable[[Context, Output, argparse.Namespace], int]] = {
    ("preferences", "list"): preferences_list,
    ("preferences", "get"): preferences_get,
    ("preferences", "set"): preferences_set,
    ("preferences", "reset"): preferences_reset,
    ("tokens", "list"): tokens_list,
    ("tokens", "get"): tokens_get,
    ("tokens", "add"): tokens_add,
    ("tokens", "patch"): tokens_patch,
    ("tokens", "delete"): tokens_delete,
    ("tenants", "list"): tenants_list,
    ("tenants", "add"): tenants_add,
    ("tenants", "remove"): tenants_remove,
}


def dispatch_users(ctx: Context, out: Output, args: argparse.Namespace) -> int:
    return _COMMANDS[(args.command, args.action)](ctx, out, args)
