"""List subscriptions: the Lists tab and the controller that reads, subscribes and unsubscribes.

Imports: ``core``, ``ui.common``, ``ui.request``.
"""
