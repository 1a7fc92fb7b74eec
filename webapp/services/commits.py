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
