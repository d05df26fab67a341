"""From what the user entered to what a send does: the ``Draft``, where a request goes and why it
may not (``target``: all a load needs), the send plan (checks, change set, confirmations,
verification) and cURL import.

Imports: ``core.profile``, ``core.http`` and ``core``'s shared modules.
"""
