"""The main window and what is about the application as a whole: the window that lays out and
wires every feature, menus, accessibility and tab order, the first frame, single instance, window
settings, Qt messages and the error dialog.

Imports: anything; nothing imports ``shell`` but ``profile_editor.app``.
"""
