"""The unsaved state on disk: written a moment after each change, offered back after a crash.

Imports: ``core``, ``storage``, ``diagnostics``, ``ui.common``.
"""
