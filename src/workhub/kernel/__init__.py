"""Shared machinery of WorkHub: no business rules, no domain imports.

Plugins may import anything under ``workhub.kernel``; it is the public API.
"""
