"""The window: widgets that display and collect, components that run things. One package a
feature: ``editor/`` (the profile: Fields, JSON, patch, find, completion, problems, undo),
``request/`` (request bar, load/send flow and controller, changes, output tabs, status line, Paste
cURL), ``environments/``, ``presets/``, ``history/``, ``lists/``, ``bulk/``, ``drafts/`` (the
unsaved state on disk); ``shell/`` the main window that wires them (menus, accessibility, first
frame, single instance, error dialog); ``common/`` what every feature uses (palette, dialogs seam,
icons, typed background jobs).

Imports: any Qt-free package. ``common`` imports no other ui package; feature packages import
``common`` and each other but never ``shell``; only ``shell`` sees every feature.
"""
