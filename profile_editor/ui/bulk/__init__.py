"""Bulk apply in the window (File → Bulk apply…), on the engine in ``profile_editor.bulk``.

Imports: ``core``, ``storage``, ``bulk``, ``ui.common``.
"""
