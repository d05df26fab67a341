"""Presets: the open preset as a document (unsaved changes, save, open) and the sidebar.

Imports: ``core``, ``storage``, ``ui.common``.
"""
