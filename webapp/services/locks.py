"""Row locks for a read-check-write that no single row decides: the names an owner has taken."""

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import User
from webapp.services.ids import uuid_or_none


def lock_owner(owner_id) -> None:
    """Lock the owner's user row until the commit (nothing for system content, which has no owner).

    Names are unique per owner, ignoring case: two requests taking one of an owner's names (creating or renaming
    a character, a campaign or a homebrew entry) queue here, so the second sees the first's name and is refused
    as it would be one after the other. Taken before the named row itself, the order deleting an account takes.
    """
    if owner_id is not None:
        db.session.execute(sa.select(User.id).where(User.id == owner_id).with_for_update())


def lock_owner_of(model, object_id) -> None:
    """lock_owner for the owner of the row with this id; nothing for a malformed or unknown id (its loader will
    say NotFound)."""
    key = uuid_or_none(object_id)
    if key is None:
        return
    lock_owner(db.session.execute(sa.select(model.owner_id).where(model.id == key)).scalar_one_or_none())
