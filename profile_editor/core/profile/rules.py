"""Checks of a profile against what Courier knows (:mod:`profile_editor.core.profile.fields`).

:func:`check_profile` returns warnings and notes, never errors: a profile is free-form JSON and
Courier stores whatever it is sent; these say where a known key will not do what its author
meant. Only known keys are looked into: the known keys and their usual misspellings (near
misses such as ``phone`` or ``E-Mail``) are looked up in the profile, and values under unknown
keys and under ``custom`` are never walked, so a 6 MB profile is checked in a few milliseconds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from profile_editor.core.profile.fields import (
    KnownField,
    Shape,
    Source,
    field_at,
    known_fields,
    top_level_fields,
)
from profile_editor.core.profile.jsoncodec import type_name

__all__ = [
    "KnownField",
    "Problem",
    "Severity",
    "Source",
    "check_profile",
    "field_at",
    "known_fields",
]


class Severity(StrEnum):
    WARNING = "warning"  # the key will not work as meant
    NOTE = "note"  # works, but worth a look (an empty value, a value only one source allows)


@dataclass(frozen=True)
class Problem:
    """One finding, located by ``path`` (keys, and indices into arrays) from the profile's top.

    ``rule`` is a stable id (``"slack.access_token"``, ``"email.format"``, ``"near-miss.email"``)
    and ``source`` where the rule comes from. Nothing here blocks sending.
    """

    path: tuple[str | int, ...]
    severity: Severity
    message: str
    rule: str
    source: Source

    @property
    def display_path(self) -> str:
        """``slack.access_token``, ``firebaseToken[2]``; ``""`` for the profile itself."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text

    @property
    def key(self) -> str | None:
        """The top-level key the problem is under (the row of the Fields table)."""
        first = self.path[0] if self.path else None
        return first if isinstance(first, str) else None

    def __str__(self) -> str:
        return f"{self.display_path}: {self.message}" if self.path else self.message


def check_profile(profile: dict[str, Any]) -> list[Problem]:
    """Every warning and note for ``profile``, in document order; ``[]`` when all is well."""
    fields = top_level_fields()
    # Look the known keys and the known misspellings up in the profile, rather than every
    # key of the profile up in them: the work does not grow with the profile.
    wanted = {key for key in fields if key in profile}
    wanted.update(key for key in _TOP_SPELLINGS if key in profile)
    if not wanted:
        return []
    out: list[Problem] = []
    ordered = [key for key in profile if key in wanted] if len(wanted) > 1 else wanted
    for key in ordered:
        known = fields.get(key)
        if known is not None:
            _check_field(known, profile[key], (key,), known.key, out)
        else:
            _near_miss(key, _TOP_SPELLINGS[key], profile, (), "", out)
    return out


# --- names ------------------------------------------------------------------------------------


def _words(name: str) -> list[str]:
    """``phone_number`` → phone, number; ``oneSignalPlayerID`` → one, signal, player, id."""
    words: list[str] = []
    current = ""
    for i, ch in enumerate(name):
        if ch in "_- .":
            words.append(current)
            current = ""
            continue
        next_is_lower = i + 1 < len(name) and name[i + 1].islower()
        if ch.isupper() and current and (current[-1].islower() or next_is_lower):
            words.append(current)
            current = ""
        current += ch
    words.append(current)
    return [w.lower() for w in words if w]


def _spellings(name: str) -> set[str]:
    """The ways people write ``name``: any of six cases, joined by any of five separators."""
    words = _words(name)
    cases = (
        words,
        [w.upper() for w in words],
        [w.capitalize() for w in words],
        [words[0].capitalize(), *words[1:]],
        [words[0], *(w.capitalize() for w in words[1:])],
        [words[0].upper(), *(w.capitalize() for w in words[1:])],  # MSTeams, SMSNumber
    )
    found = {name}
    for parts in cases:
        for separator in ("", "_", "-", " ", "."):
            found.add(separator.join(parts))
    return found


def _spelling_index(fields: tuple[KnownField, ...]) -> dict[str, str]:
    """Misspelling → the known key meant; the known keys themselves are not in it."""
    index: dict[str, str] = {}
    for known in fields:
        for name in (known.key, *known.aliases):
            for spelling in _spellings(name):
                index.setdefault(spelling, known.key)
    for known in fields:
        index.pop(known.key, None)
    return index


def _walk(fields: tuple[KnownField, ...]) -> Iterator[KnownField]:
    for known in fields:
        yield known
        yield from _walk(known.children)


_TOP_SPELLINGS = _spelling_index(known_fields())
_CHILD_SPELLINGS = {
    id(known): _spelling_index(known.children)
    for known in _walk(known_fields(include_discouraged=True))
    if known.children
}


def _near_miss(
    key: str,
    meant: str,
    siblings: dict[str, Any],
    parent: tuple[str | int, ...],
    parent_rule: str,
    out: list[Problem],
) -> None:
    target = field_at((*_keys_only(parent), meant))
    also = f" (`{meant}` is set too)" if meant in siblings else ""
    where = "a key Courier reads" if not parent else f"a key Courier reads in `{parent_rule}`"
    out.append(
        Problem(
            (*parent, key),
            Severity.WARNING,
            f"`{key}` is not {where}: did you mean `{meant}`?{also}",
            f"near-miss.{parent_rule + '.' if parent_rule else ''}{meant}",
            target.source if target is not None else Source.BOTH,
        )
    )


def _keys_only(path: tuple[str | int, ...]) -> tuple[str, ...]:
    return tuple(p for p in path if isinstance(p, str))


# --- values -------------------------------------------------------------------------------------


def _check_field(
    known: KnownField,
    value: Any,
    path: tuple[str | int, ...],
    rule: str,
    out: list[Problem],
) -> None:
    if known.discouraged:
        out.append(
            Problem(path, Severity.WARNING, known.discouraged, f"{rule}.misplaced", known.source)
        )
        return
    if value is None:
        return  # null removes the key on a merge; nothing to check
    kind = type_name(value)
    if kind not in known.types:
        for wrong, message, source in known.type_notes:
            if wrong == kind:
                out.append(Problem(path, Severity.WARNING, message, f"{rule}.{kind}", source))
                return
        out.append(
            Problem(
                path,
                Severity.WARNING,
                _wrong_type(rule, known, value, kind),
                f"{rule}.type",
                known.source,
            )
        )
        return
    if kind == "string":
        _check_string(known, value, path, rule, out)
    elif kind == "array" and known.items is not None:
        _check_items(
            value,
            known.items,
            path,
            rule,
            f"`{rule}` holds {known.items}s",
            out,
            known.source,
        )
    elif kind == "object" and not known.open:
        _check_object(known, value, path, rule, out)


def _check_object(
    known: KnownField,
    value: dict[str, Any],
    path: tuple[str | int, ...],
    rule: str,
    out: list[Problem],
) -> None:
    if known.values is not None:
        _check_items(
            value,
            known.values,
            path,
            rule,
            f"values in `{rule}` are {known.values}s",
            out,
            known.source,
        )
    if known.children:
        spellings = _CHILD_SPELLINGS[id(known)]
        for key, item in value.items():
            child = known.child(key)
            if child is not None:
                _check_field(child, item, (*path, key), f"{rule}.{key}", out)
            elif key in spellings:
                _near_miss(key, spellings[key], value, path, rule, out)
    for shape in known.shapes:
        _check_shape(shape, value, path, rule, out)


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
}
# Reported per array or object; the rest of a long list of mistakes adds nothing.
_MAX_ITEM_PROBLEMS = 20


def _check_items(
    container: list[Any] | dict[str, Any],
    json_type: str,
    path: tuple[str | int, ...],
    rule: str,
    what: str,
    out: list[Problem],
    source: Source,
) -> None:
    """Check the JSON type of every item (array) or value (object) of a known key."""
    wanted = {*_PY_TYPES[json_type], type(None)}
    items = container.values() if isinstance(container, dict) else container
    # Fast path, in C, for the usual case. Exact types: a bool is not taken for a number.
    if set(map(type, items)) <= wanted:
        return
    pairs = container.items() if isinstance(container, dict) else enumerate(container)
    reported = 0
    for where, item in pairs:
        if type(item) in wanted:
            continue
        label = f"`{where}`" if isinstance(container, dict) else f"item {where}"
        out.append(
            Problem(
                (*path, where),
                Severity.WARNING,
                f"{what}; {label} is {_a(type_name(item))}",
                f"{rule}.{'values' if isinstance(container, dict) else 'items'}",
                source,
            )
        )
        reported += 1
        if reported == _MAX_ITEM_PROBLEMS:
            return


def _present(obj: dict[str, Any], key: str) -> bool:
    value = obj.get(key)
    return value is not None and value != ""


def _check_shape(
    shape: Shape, obj: dict[str, Any], path: tuple[str | int, ...], rule: str, out: list[Problem]
) -> None:
    if any(_present(obj, key) for key in shape.unless):
        return
    if shape.when is not None:
        key, wanted = shape.when
        if not _present(obj, key) or (wanted is not None and obj.get(key) != wanted):
            return
    if any(all(_present(obj, key) for key in keys) for keys in shape.any_of):
        return
    # Written but left empty (as a freshly inserted skeleton is): a note on the empty keys.
    for keys in shape.any_of:
        if all(_present(obj, key) or obj.get(key) == "" for key in keys):
            for key in keys:
                if obj.get(key) == "":
                    out.append(
                        Problem(
                            (*path, key),
                            Severity.NOTE,
                            f"`{rule}.{key}` is empty",
                            f"{shape.rule}.empty",
                            shape.source,
                        )
                    )
            return
    out.append(Problem(path, Severity.WARNING, shape.message, shape.rule, shape.source))


def _check_string(
    known: KnownField, value: str, path: tuple[str | int, ...], rule: str, out: list[Problem]
) -> None:
    if known.choices:
        _check_choice(known, value, path, rule, out)
    if not value or known.format is None:
        return
    message = _FORMATS[known.format](value)
    if message:
        severity = Severity.NOTE if message.startswith("~") else Severity.WARNING
        out.append(
            Problem(
                path, severity, f"`{rule}` {message.lstrip('~')}", f"{rule}.format", known.source
            )
        )


def _check_choice(
    known: KnownField, value: str, path: tuple[str | int, ...], rule: str, out: list[Problem]
) -> None:
    sources = dict(known.choices)
    everywhere = [choice for choice, source in known.choices if source is Source.BOTH]
    if value in sources:
        source = sources[value]
        if source is Source.BOTH:
            return
        # Allowed by one source only: it may work, or may not.
        others = " and ".join(c for c, s in known.choices if s in (Source.BOTH, _other(source)))
        where, elsewhere = "Courier's docs", "the current SDK"
        if source is Source.SDK:
            where, elsewhere = elsewhere, where
        out.append(
            Problem(
                path,
                Severity.NOTE,
                f"`{rule}` {value} is in {where} but not in {elsewhere}, which has {others}",
                f"{rule}.choice",
                Source.DISAGREE,
            )
        )
        return
    if value == "":
        out.append(
            Problem(path, Severity.NOTE, f"`{rule}` is empty", f"{rule}.choice", known.source)
        )
        return
    same = [choice for choice in sources if choice.lower() == value.strip().lower()]
    hint = (
        f": write it as {same[0]}"
        if same
        else f"; Courier knows {_listing(known.choices) or ', '.join(everywhere)}"
    )
    out.append(
        Problem(
            path,
            Severity.WARNING,
            f"`{rule}` {value!r} is not a value Courier knows{hint}",
            f"{rule}.choice",
            known.source,
        )
    )


def _other(source: Source) -> Source:
    return Source.SDK if source is Source.DOCS else Source.DOCS


def _listing(choices: tuple[tuple[str, Source], ...]) -> str:
    parts = []
    for choice, source in choices:
        parts.append(choice if source is Source.BOTH else f"{choice} ({source.value} only)")
    return ", ".join(parts)


def _wrong_type(rule: str, known: KnownField, value: Any, kind: str) -> str:
    wanted = " or ".join(_a(t) for t in known.types)
    message = f"`{rule}` should be {wanted}, not {_a(kind)}"
    if (
        known.types == ("boolean",)
        and kind == "string"
        and value.strip().lower() in ("true", "false")
    ):
        message += f": write {value.strip().lower()} without quotes"
    elif known.types == ("string",) and kind == "number":
        message += ": put it in quotes"
    elif "object" in known.types and known.skeleton:
        message += f", e.g. {_compact(known.skeleton)}"
    return message


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


# --- formats ------------------------------------------------------------------------------------
# Each returns "" when the value is fine, else the rest of a message; "~" first makes it a note.

_EMAIL = re.compile(r"[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\".]+")


def _email(value: str) -> str:
    if _EMAIL.fullmatch(value):
        return ""
    if "<" in value and ">" in value:
        return "holds a name with the address; Courier expects the bare address (user@example.com)"
    return "does not look like an email address (user@example.com)"


_PHONE_PUNCTUATION = frozenset(" ().-/")


def _phone(value: str) -> str:
    # E.164-like: an optional leading +, then digits with the usual punctuation. A national
    # number such as Courier's own example 555-555-5555 passes: whether it can be reached
    # depends on the provider's default country, which this editor cannot know.
    digits = sum(ch.isascii() and ch.isdigit() for ch in value)
    body = value[1:] if value.startswith("+") else value
    if any(not (ch.isascii() and ch.isdigit()) and ch not in _PHONE_PUNCTUATION for ch in body):
        return "has characters a phone number does not (E.164 looks like +15555555555)"
    if digits < 7 or digits > 15:
        return f"has {digits} digits; phone numbers have 7 to 15 (E.164 looks like +15555555555)"
    if value.startswith("00"):
        return "~starts with 00: E.164 writes the international prefix as + (+44…, not 0044…)"
    return ""


_ALNUM = "[a-z0-9]"
# RFC 5646 well-formed tags, except that 4-8 letter language subtags are refused: none is
# registered, and "english" or "French" are what such a value usually is.
_LANGTAG = re.compile(
    rf"""
    (?: [a-z]{{2,3}} (?:-[a-z]{{3}}){{0,3}} )                   # language (+ extlang)
    (?: -[a-z]{{4}} )?                                          # script
    (?: -(?:[a-z]{{2}}|[0-9]{{3}}) )?                           # region
    (?: -(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}) )*              # variants
    (?: -[0-9a-wyz](?:-{_ALNUM}{{2,8}})+ )*                     # extensions
    (?: -x(?:-{_ALNUM}{{1,8}})+ )?                              # private use
    | x(?:-{_ALNUM}{{1,8}})+
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _locale(value: str) -> str:
    if _LANGTAG.fullmatch(value):
        return ""
    if "_" in value and _LANGTAG.fullmatch(value.replace("_", "-").split(".")[0]):
        fixed = value.replace("_", "-").split(".")[0]
        return f"is written the POSIX way; a BCP 47 tag uses '-': {fixed}"
    return "is not a BCP 47 language tag (e.g. en, en-US, pt-BR, zh-Hant-TW)"


_FORMATS = {"email": _email, "phone": _phone, "locale": _locale}
