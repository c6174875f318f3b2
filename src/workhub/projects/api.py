"""What other modules may call of the projects module (with its ``events`` and ``schemas``).

Who may see which project is decided here once: other modules ask for a
member's access (:func:`resolve_project_access`) or compile it into their own
queries (:func:`project_access`, :func:`project_access_sql`,
:func:`member_projects_sql`) instead of reading memberships themselves.
"""

from __future__ import annotations

from workhub.projects.services import (
    MemberService,
    ProjectService,
    member_projects_sql,
    project_access,
    project_access_sql,
    resolve_project_access,
)

__all__ = (
    "MemberService",
    "ProjectService",
    "member_projects_sql",
    "project_access",
    "project_access_sql",
    "resolve_project_access",
)
