"""The public gallery: PUBLIC characters whose race and archetype may be shown, and when its cache goes stale."""

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from webapp.caching import invalidate_gallery
from webapp.extensions import db
from webapp.models import Archetype, Character, Image, Race, Visibility

# What a gallery card shows comes from these: a write to any of them makes every cached gallery stale.
SHOWN = (Character, Race, Archetype, Image)


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


@sa.event.listens_for(Session, "after_flush")
def _note_gallery_writes(session: Session, _context) -> None:
    """Whoever writes a character, race, archetype or picture (any service, the seed), the commit says so."""
    if any(isinstance(obj, SHOWN) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info["gallery_touched"] = True


@sa.event.listens_for(Session, "do_orm_execute")
def _note_bulk_gallery_writes(state) -> None:
    """UPDATE and DELETE statements (experience awards to a party, moderation) bypass the flush."""
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and issubclass(mapper.class_, SHOWN):
        state.session.info["gallery_touched"] = True


@sa.event.listens_for(Session, "after_commit")
def _invalidate_gallery_if_touched(session: Session) -> None:
    if session.info.pop("gallery_touched", False):
        invalidate_gallery()


@sa.event.listens_for(Session, "after_rollback")
def _forget_gallery_writes(session: Session) -> None:
    session.info.pop("gallery_touched", None)
