"""List subscriptions: the three requests, their page and subscription models, and their plans.

Imports: ``core.profile``, ``core.http``, ``core.send`` and ``core``'s shared modules.
"""
