"""The profile being edited: Fields table and JSON tab kept in sync, the patch editor, one undo
history, find and go to key path, key completion and the Problems list.

Imports: ``core``, ``ui.common``.
"""
