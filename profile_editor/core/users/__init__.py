"""The rest of a recipient under ``/users/{id}``: subscription preferences, device tokens and
tenant memberships — requests, answers, plans and the checks after a write.

Imports: ``core.profile``, ``core.http``, ``core.send``, ``core.lists`` and ``core``'s shared
modules.
"""
