"""The public gallery: PUBLIC characters whose race and archetype may be shown."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import Character, Visibility


def public_characters(limit: int = 24) -> list[Character]:
    """Newest PUBLIC characters, race and archetype loaded in the same query."""
    query = (
        sa.select(Character)
        .where(Character.visibility == Visibility.PUBLIC)
        .options(joinedload(Character.race), joinedload(Character.archetype))
        .order_by(Character.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())
