"""From what the user entered to what a send does: the ``Draft``, the send plan (checks, change
set, confirmations, verification) and cURL import.

Imports: ``core.profile``, ``core.http`` and ``core``'s shared modules.
"""
