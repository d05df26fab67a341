"""Qt-free: what a profile is and how to talk to Courier about it.

``profile/`` the profile itself (values, strict JSON, well-known fields and their rules, changes,
merge and JSON Patch, key paths, completion); ``http/`` one request and how it ended (request
models, client with retries, transport, session, outcome wording); ``send/`` what the user entered
and what sending it will do (``Draft``, the send plan, cURL import); ``lists/`` list subscriptions.
Beside them the shared words: ``methods``, ``recipient`` (recipient-ID rules) and ``cooperate``.

Imports: the standard library, httpx and pydantic only; never PySide6, and nothing else of
``profile_editor`` (storage converts to and from core, not the other way round).
"""
