"""Commits a constraint may refuse, the refusal turned into the error the caller's user should see."""

from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.services.errors import ServiceError


def commit_or_raise(error: ServiceError) -> None:
    """Commit; when a constraint refuses (a name taken or a row put to use at the same moment), roll back and
    raise `error`."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise error from None


def commit_keeping_objects() -> None:
    """Commit without expiring what the session holds, for a change that answers with the state it just wrote: its
    rows were read under a lock held until this commit, so they are the latest, and reading them back would only
    repeat them."""
    session = db.session()
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring
