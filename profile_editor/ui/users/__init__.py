"""The rest of a recipient beside the profile: subscription preferences, device tokens and
tenant memberships — the three tabs, their models, and the controller that reads and writes them.

Imported lazily by the window (on the first Load or the first look at one of the tabs), never
before the first paint.

Imports: ``core``, ``ui.common``, ``ui.request``.
"""
