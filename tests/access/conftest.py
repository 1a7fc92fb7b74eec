"""The people of the access matrix: anonymous, the owner, another USER, a MODERATOR and an ADMIN."""

import pytest

from webapp.models import Role

ACTORS = ("anonymous", "owner", "other", "moderator", "admin")
VISIBILITIES = ("PUBLIC", "PRIVATE", "HIDDEN")
ACTIONS = ("view", "edit", "delete")


@pytest.fixture
def people(make):
    """One user per role of the matrix; "anonymous" is None."""
    return {
        "anonymous": None,
        "owner": make.user(display_name="Owner"),
        "other": make.user(display_name="Other"),
        "moderator": make.user(display_name="Mod", role=Role.MODERATOR),
        "admin": make.user(display_name="Admin", role=Role.ADMIN),
    }


def expected(actor: str, visibility: str, action: str) -> str:
    """SPEC §4 as data: "ok", "404" (may not see) or "403" (may see, may not do)."""
    if actor in {"owner", "admin"}:
        return "ok"
    if actor == "moderator":
        if visibility == "PRIVATE":
            return "404"
        if visibility == "PUBLIC":
            return "403" if action == "delete" else "ok"
        return "ok"  # HIDDEN: read, edit, delete
    # anonymous and other USERs read PUBLIC content only
    if visibility != "PUBLIC":
        return "404"
    return "ok" if action == "view" else "403"
