"""Flask-Login wiring: who the session cookie belongs to."""

import uuid

from webapp.extensions import db, login_manager
from webapp.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    return user if user is not None and user.is_active else None


login_manager.login_view = "auth.login"
