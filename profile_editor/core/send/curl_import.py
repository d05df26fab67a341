"""Paste a cURL command: turn a profiles request written for curl into the editor's draft.

:func:`parse_curl` takes what a user pastes (the API reference's example, a Copy as cURL from this
app, a command from a terminal) and returns either a :class:`CurlImport` (method, base URL,
recipient ID, profile or patch, and the API key if the command carried one) or a
:class:`CurlProblem` saying in one sentence why it cannot be used. The command line is split into
words as a POSIX shell would (quotes, escapes, continuations), never by pattern matching on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit

from profile_editor.core.methods import Method
from profile_editor.core.profile.jsoncodec import JsonProblem, parse_value

if TYPE_CHECKING:
    from profile_editor.core.http.models import ProfileRequest

__all__ = ["CurlImport", "CurlProblem", "looks_like_curl", "parse_curl"]


@dataclass(frozen=True)
class CurlImport:
    """A profiles request read from a cURL command.

    ``base_url`` is everything before ``/profiles/`` (scheme, host, port, any path prefix); when it
    names the same place as one of the ``known_base_urls`` given to :func:`parse_curl`, it is spelt
    as that one and ``known_base_url`` is set too. ``recipient_id`` is percent-decoded. For POST and
    PUT ``profile`` is set, for PATCH ``patch``, for GET and DELETE neither.

    ``secret_api_key`` is the key from an ``Authorization: Bearer …`` header, or None. It is a
    secret: it is left out of ``repr``/``str`` and of comparisons, and must only go to the key
    field for the session. ``key_variable`` is the shell variable the header used instead of a key
    (e.g. ``$COURIER_API_KEY``), for telling the user the key was not in the command.
    """

    method: Method
    base_url: str
    recipient_id: str
    profile: dict[str, Any] | None = None
    patch: list[Any] | None = None
    known_base_url: str | None = None
    key_variable: str | None = None
    secret_api_key: str | None = field(default=None, repr=False, compare=False)

    def to_request(self) -> ProfileRequest:
        """The draft as the app's request model (without the key, which never goes there)."""
        from profile_editor.core.http.models import ProfileRequest

        return ProfileRequest(
            base_url=self.base_url,
            recipient_id=self.recipient_id,
            method=self.method,
            profile=self.profile,
            patch=self.patch,
        )


@dataclass(frozen=True)
class CurlProblem:
    """Why a pasted text cannot become a draft: one sentence, for the status line."""

    message: str

    def __str__(self) -> str:
        return self.message


class _Refused(Exception):
    """Raised inside the parser; becomes a :class:`CurlProblem`."""


# curl options that take a value and are used here, by every spelling.
_METHOD = frozenset({"-X", "--request"})
_URL = frozenset({"--url"})
_HEADER = frozenset({"-H", "--header"})
# Sent as written, and never read from a file.
_DATA_RAW = frozenset({"--data-raw"})
# Sent as written, unless they start with "@" (then curl reads a file).
_DATA = frozenset({"-d", "--data", "--data-binary", "--data-ascii", "--json"})
# Options that change nothing the editor keeps, with a value to skip.
_IGNORED_WITH_VALUE = frozenset(
    {
        "-o", "--output", "-w", "--write-out", "-m", "--max-time", "--connect-timeout",
        "--retry", "--retry-delay", "--retry-max-time", "-A", "--user-agent", "-e", "--referer",
        "--cacert", "--capath", "-x", "--proxy", "--resolve", "--limit-rate", "--max-redirs",
        "-b", "--cookie", "-c", "--cookie-jar", "-D", "--dump-header", "--interface",
        "--stderr", "--trace", "--trace-ascii", "--expect100-timeout", "--keepalive-time",
        "-Y", "--speed-limit", "-y", "--speed-time", "--noproxy", "--connect-to",
    }
)  # fmt: skip
# Options without a value that change nothing the editor keeps.
_IGNORED_FLAGS = frozenset(
    {
        "-s", "--silent", "-S", "--show-error", "-L", "--location", "--location-trusted",
        "-i", "--include", "-v", "--verbose", "--compressed", "-k", "--insecure", "-f",
        "--fail", "--fail-with-body", "-g", "--globoff", "-N", "--no-buffer", "-#",
        "--progress-bar", "--no-progress-meter", "-q", "--disable", "--http1.0", "--http1.1",
        "--http2", "--http2-prior-knowledge", "--http3", "-0", "-4", "--ipv4", "-6",
        "--ipv6", "--raw", "--tr-encoding", "--path-as-is", "--retry-connrefused",
        "--retry-all-errors", "--tcp-nodelay", "--no-keepalive", "--no-sessionid",
        "--ssl-reqd", "--styled-output", "--no-styled-output", "--no-alpn", "--no-npn",
    }
)  # fmt: skip
# Options the editor cannot honour, and why.
_REFUSED = {
    "-F": "sends form data (-F); Courier takes a JSON body",
    "--form": "sends form data (--form); Courier takes a JSON body",
    "--form-string": "sends form data (--form-string); Courier takes a JSON body",
    "--data-urlencode": "sends URL-encoded form data (--data-urlencode); Courier takes a JSON body",
    "-G": "moves the body into the query string (-G)",
    "--get": "moves the body into the query string (--get)",
    "-I": "asks for headers only (-I)",
    "--head": "asks for headers only (--head)",
    "-T": "uploads a file (-T); paste the body itself instead",
    "--upload-file": "uploads a file (--upload-file); paste the body itself instead",
    "-u": "uses basic authentication (-u); Courier takes an Authorization: Bearer key",
    "--user": "uses basic authentication (--user); Courier takes an Authorization: Bearer key",
    "-K": "reads its options from a file (-K)",
    "--config": "reads its options from a file (--config)",
    "--next": "holds more than one request (--next)",
    "-:": "holds more than one request (-:)",
}
_VALUE_OPTIONS = _METHOD | _URL | _HEADER | _DATA_RAW | _DATA | _IGNORED_WITH_VALUE
_SHORT_WITH_VALUE = frozenset(o[1] for o in _VALUE_OPTIONS if len(o) == 2)
_SHORT_FLAGS = frozenset(o[1] for o in _IGNORED_FLAGS if len(o) == 2)
_SHELL_PROMPTS = ("$ ", "% ", "> ", "# ")
MAX_COMMAND_CHARS = 32 * 1024 * 1024
"""Longer pasted text is refused unread: a 6 MB body, even quoted at its worst, fits."""


@dataclass
class _Command:
    method: str | None = None
    urls: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    json_option: bool = False


def parse_curl(
    text: str, *, known_base_urls: Sequence[str] = (), require_known: bool = False
) -> CurlImport | CurlProblem:
    """Read a pasted curl command for ``/profiles/{id}``; never raises on any input.

    Accepts line continuations (backslash-newline), CRLF line ends, a leading shell prompt
    (``$ ``), single and double quotes, ``-X``/``-XPOST``/``--request``/``--request=POST``,
    ``--url`` or a bare URL, ``-H``/``--header``, ``-d``/``--data``/``--data-raw``/
    ``--data-binary``/``--json``, and ignores options such as ``-s``, ``-L``, ``-i`` or
    ``--compressed``. As curl does, a body without ``-X`` makes a POST.

    ``known_base_urls`` are the environments' base URLs; one that names the same place (scheme,
    host, port, path; case and a trailing ``/`` aside) is reported in ``known_base_url``. With
    ``require_known``, a command for any other place is refused.
    """
    try:
        command = _read_command(_tokens(text))
        result = _to_import(command, known_base_urls)
        if require_known and result.known_base_url is None:
            raise _Refused(
                f"The URL goes to {_cut(result.base_url)}, which is none of your environments."
            )
        return result
    except _Refused as refused:
        return CurlProblem(str(refused))


def looks_like_curl(text: str) -> bool:
    """Whether pasted text is meant as a curl command (e.g. pasted into the recipient field).

    Cheap and lenient: only the first word is looked at; :func:`parse_curl` says the rest.
    """
    first = _without_prompt(text[:200].strip()).split(None, 1)
    return bool(first) and first[0].rsplit("/", 1)[-1].lower() in ("curl", "curl.exe")


def _without_prompt(text: str) -> str:
    for prompt in _SHELL_PROMPTS:
        if text.startswith(prompt):
            return text[len(prompt) :].lstrip()
    return text


def _tokens(text: str) -> list[str]:
    if len(text) > MAX_COMMAND_CHARS:
        raise _Refused(
            f"The pasted text is {len(text):,} characters long, more than a curl command for "
            f"Courier can be ({MAX_COMMAND_CHARS:,} at most)."
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Refused("The pasted text holds a broken character (a lone surrogate).") from None
    text = _without_prompt(text.replace("\r\n", "\n").replace("\r", "\n").strip())
    if not text:
        raise _Refused("There is nothing to paste: copy a curl command first.")
    tokens = _split_words(text)
    if not tokens or tokens[0].rsplit("/", 1)[-1].lower() not in ("curl", "curl.exe"):
        first = tokens[0] if tokens else text
        raise _Refused(f"This is not a curl command (it starts with “{_cut(first, 40)}”).")
    return tokens[1:]


# One piece of a word: plain characters, a backslash and the character it escapes, a single-
# quoted string, a double-quoted string; or the whitespace between words.
_PIECE = re.compile(
    r"""([^ \t\r\n'"\\]+)|\\(.)|'([^']*)'|"([^"\\]*(?:\\.[^"\\]*)*)"|([ \t\r\n]+)""", re.S
)
_DOUBLE_QUOTED_ESCAPE = re.compile(r"\\(.)", re.S)


def _double_quoted_escape(match: re.Match[str]) -> str:
    char = match.group(1)
    if char == "\n":
        return ""  # a backslash-newline joins the lines
    return char if char in '"\\' else "\\" + char  # other backslashes are kept


def _split_words(text: str) -> list[str]:
    """Split a command line into words as a POSIX shell does (no expansions).

    The same words as ``shlex.split(text, posix=True)`` after joining backslash-newline pairs
    outside single quotes, in linear time: shlex builds each word a character at a time,
    which took minutes for the body of a 6 MB profile. Raises :class:`_Refused` on an
    unclosed quote or a trailing backslash.
    """
    words: list[str] = []
    word: list[str] | None = None
    position, end = 0, len(text)
    while position < end:
        match = _PIECE.match(text, position)
        if match is None:
            what = "No escaped character" if text[position] == "\\" else "No closing quotation"
            raise _Refused(f"The command cannot be read as a shell command: {what}.")
        position = match.end()
        plain, escaped, single, double, space = match.groups()
        if space is not None:
            if word is not None:
                words.append("".join(word))
                word = None
            continue
        if escaped == "\n":
            continue  # a line continuation, inside a word or between words
        if word is None:
            word = []
        if plain is not None:
            word.append(plain)
        elif escaped is not None:
            word.append(escaped)
        elif single is not None:
            word.append(single)
        else:
            word.append(_DOUBLE_QUOTED_ESCAPE.sub(_double_quoted_escape, double))
    if word is not None:
        words.append("".join(word))
    return words


def _read_command(args: list[str]) -> _Command:
    command = _Command()
    i = 0
    only_urls = False
    while i < len(args):
        arg = args[i]
        i += 1
        if only_urls or not arg.startswith("-") or arg == "-":
            command.urls.append(arg)
        elif arg == "--":
            only_urls = True
        elif arg.startswith("--"):
            name, eq, inline = arg.partition("=")
            if name in _VALUE_OPTIONS:
                if eq:
                    value = inline
                elif i < len(args):
                    value, i = args[i], i + 1
                else:
                    raise _Refused(f"The option {name} has no value.")
                _take(command, name, value)
            elif eq:
                raise _Refused(f"The curl option {_cut(name)} is not one Paste cURL understands.")
            else:
                _flag(arg)
        else:
            i = _short_options(command, arg, args, i)
    return command


def _short_options(command: _Command, arg: str, args: list[str], i: int) -> int:
    """Read a group such as ``-sS``, ``-XPOST`` or ``-sX POST``; return the next index."""
    for position in range(1, len(arg)):
        letter = arg[position]
        name = "-" + letter
        if letter in _SHORT_WITH_VALUE:
            rest = arg[position + 1 :]
            if rest:
                _take(command, name, rest)
            elif i < len(args):
                _take(command, name, args[i])
                i += 1
            else:
                raise _Refused(f"The option {name} has no value.")
            return i
        if letter not in _SHORT_FLAGS:
            _flag(name)
    return i


def _flag(name: str) -> None:
    if name in _REFUSED:
        raise _Refused(f"This command {_REFUSED[name]}.")
    if name not in _IGNORED_FLAGS:
        raise _Refused(f"The curl option {_cut(name)} is not one Paste cURL understands.")


def _take(command: _Command, name: str, value: str) -> None:
    if name in _METHOD:
        command.method = value
    elif name in _URL:
        command.urls.append(value)
    elif name in _HEADER:
        command.headers.append(value)
    elif name in _DATA_RAW or name in _DATA:
        if name in _DATA and value.startswith("@"):
            raise _Refused(
                f"The body is read from a file ({name} {_cut(value)}); paste the body itself instead."
            )
        command.data.append(value)
        command.json_option = command.json_option or name == "--json"


def _to_import(command: _Command, known_base_urls: Sequence[str]) -> CurlImport:
    if not command.urls:
        raise _Refused("The command has no URL.")
    if len(command.urls) > 1:
        raise _Refused("The command has more than one URL; paste one request at a time.")
    base_url, recipient_id = _split_url(command.urls[0])
    has_body = bool(command.data)
    method = _method(command.method, has_body=has_body)
    api_key, variable = _authorization(command.headers)
    profile: dict[str, Any] | None = None
    patch: list[Any] | None = None
    if method.has_body:
        if not has_body:
            wanted = '{"patch": […]}' if method is Method.PATCH else '{"profile": {…}}'
            raise _Refused(f"The {method.value} has no body; Courier expects {wanted}.")
        if len(command.data) > 1:
            raise _Refused("The command has more than one body (curl would join them with &).")
        profile, patch = _body(command.data[0], method)
    elif has_body:
        raise _Refused(f"A {method.value} request has no body, but this command sends one.")
    known = _match_base_url(base_url, known_base_urls)
    return CurlImport(
        method=method,
        base_url=known or base_url,
        recipient_id=recipient_id,
        profile=profile,
        patch=patch,
        known_base_url=known,
        key_variable=variable,
        secret_api_key=api_key,
    )


def _method(written: str | None, *, has_body: bool) -> Method:
    if written is None:
        return Method.POST if has_body else Method.GET
    try:
        return Method(written.upper())
    except ValueError:
        raise _Refused(
            f"The method {_cut(written)} is not one of GET, POST, PUT, PATCH or DELETE."
        ) from None


def _split_url(url: str) -> tuple[str, str]:
    """Split a profiles URL into base URL and percent-decoded recipient ID."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise _Refused(f"The URL cannot be read: {_cut(str(exc), 120)}.") from None
    scheme = parts.scheme.lower()
    if "://" not in url:
        raise _Refused(f"The URL “{_cut(url)}” has no scheme; it should start with https://.")
    if scheme not in ("http", "https"):
        raise _Refused(f"The URL is {_cut(scheme)}://, not http:// or https://.")
    if not parts.hostname:
        raise _Refused("The URL has no host.")
    try:
        parts.port  # noqa: B018 - urllib checks the port only when it is read
    except ValueError:
        port = parts.netloc.rpartition(":")[2]
        raise _Refused(f"The URL's port “{_cut(port)}” is not a number from 0 to 65535.") from None
    if parts.username is not None or parts.password is not None:
        raise _Refused("The URL holds a user name or password; Courier takes a Bearer key.")
    if parts.query:
        raise _Refused(
            f"The URL has a query (?{_cut(parts.query)}) that a profile request does not use."
        )
    segments = parts.path.split("/")
    if len(segments) < 3 or segments[-2] != "profiles":
        where = parts.path or "/"
        if "profiles" in segments[:-1]:
            raise _Refused(
                f"The URL is for {_cut(where)}, not a profile: Paste cURL reads /profiles/{{id}} only."
            )
        raise _Refused(f"The URL is for {_cut(where)}, not /profiles/{{id}}.")
    encoded_id = segments[-1]
    if not encoded_id:
        raise _Refused("The URL has no recipient ID after /profiles/.")
    try:
        recipient_id = unquote_to_bytes(encoded_id).decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused("The recipient ID in the URL is not valid percent-encoded UTF-8.") from None
    prefix = "/".join(segments[:-2])
    return f"{scheme}://{parts.netloc}{prefix}", recipient_id


def _authorization(headers: list[str]) -> tuple[str | None, str | None]:
    """The Bearer key, or the shell variable written in its place, from the headers."""
    key: str | None = None
    variable: str | None = None
    for header in headers:
        name, colon, value = header.partition(":")
        if not colon or name.strip().lower() != "authorization":
            continue
        scheme, _, token = value.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _Refused("The Authorization header is not “Bearer <key>”, which Courier takes.")
        if "$" in token or "`" in token:
            key, variable = None, token
        else:
            key, variable = token, None
    return key, variable


def _body(text: str, method: Method) -> tuple[dict[str, Any] | None, list[Any] | None]:
    try:
        body = parse_value(text)
    except JsonProblem as problem:
        raise _Refused(f"The body is not valid JSON ({problem}).") from None
    member = "patch" if method is Method.PATCH else "profile"
    if not isinstance(body, dict):
        raise _Refused(f'The body is not a JSON object like {{"{member}": …}}.')
    other = "profile" if member == "patch" else "patch"
    if member not in body and other in body:
        needed = "PATCH" if other == "patch" else "POST or PUT"
        raise _Refused(f'The body holds a "{other}", which needs {needed}, not {method.value}.')
    if member not in body:
        raise _Refused(f'The body is not wrapped in {{"{member}": …}} as Courier expects.')
    if len(body) > 1:
        extra = ", ".join(sorted(k for k in body if k != member))
        raise _Refused(f'The body has keys besides "{member}" ({_cut(extra)}).')
    value = body[member]
    if member == "profile":
        if not isinstance(value, dict):
            raise _Refused('"profile" in the body is not a JSON object.')
        return value, None
    if not isinstance(value, list):
        raise _Refused('"patch" in the body is not a JSON array of operations.')
    return None, value


def _match_base_url(base_url: str, known_base_urls: Sequence[str]) -> str | None:
    wanted = _comparable(base_url)
    for known in known_base_urls:
        try:
            if _comparable(known) == wanted:
                return known
        except ValueError:
            continue
    return None


def _comparable(url: str) -> tuple[str, str, int | None, str]:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port, parts.path.rstrip("/")


def _cut(text: str, limit: int = 60) -> str:
    """Pasted text as a message shows it: one line (controls escaped), at most ``limit`` long."""
    text = text[: limit + 1]
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
