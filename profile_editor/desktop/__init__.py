"""Fitting into the user's desktop: the desktop entry, the platform check, window placement.

Qt-free; the single-instance socket lives in ``profile_editor.ui.shell.single_instance``.
"""
