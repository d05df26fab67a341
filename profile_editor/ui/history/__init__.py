"""History: recording every request, the history dock and its table.

Imports: ``core``, ``storage``, ``ui.common``, ``ui.request``, ``ui.lists``.
"""
