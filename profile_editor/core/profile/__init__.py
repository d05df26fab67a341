"""The profile itself: JSON values and the strict codec, well-known fields and their checks, the
changes a send makes (merge, replace, JSON Patch), key paths and key completion.

Imports: ``core``'s shared modules only (``methods``, ``recipient``, ``cooperate``).
"""
