"""Who is asking: the Actor type, the signed-in user behind it, and their role."""

import uuid

from flask import current_app
from flask_login import AnonymousUserMixin

from webapp.models import Role, User
from webapp.services.errors import Forbidden

# Whoever a service acts for: a signed-in user, an anonymous visitor (Flask-Login's or None).
Actor = User | AnonymousUserMixin | None


def user_of(actor: Actor) -> User | None:
    """The signed-in user behind the actor, or None for an anonymous visitor."""
    if actor is None or isinstance(actor, AnonymousUserMixin) or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def user_id_of(actor: Actor) -> uuid.UUID | None:
    """The id of the signed-in user behind the actor, or None for an anonymous visitor."""
    user = user_of(actor)
    return user.id if user else None


def role_of(actor: Actor) -> Role | None:
    user = user_of(actor)
    return user.role if user else None


def is_staff(actor: Actor) -> bool:
    return role_of(actor) in {Role.MODERATOR, Role.ADMIN}


def is_admin(actor: Actor) -> bool:
    return role_of(actor) == Role.ADMIN


def owns(actor: Actor, obj) -> bool:
    user = user_of(actor)
    return user is not None and getattr(obj, "owner_id", None) == user.id


def actor_id(actor: Actor) -> str:
    user = user_of(actor)
    return str(user.id) if user else "anonymous"


def require_signed_in(actor: Actor, message: str = "Sign in first.") -> User:
    """The signed-in user behind the actor; Forbidden (with `message`) for an anonymous visitor."""
    user = user_of(actor)
    if user is None:
        raise Forbidden(message)
    return user


def require_creator(actor: Actor) -> User:
    """The user who may create content: signed in, and verified when the site requires it."""
    user = require_signed_in(actor, "Sign in to create content.")
    if current_app.config.get("EMAIL_VERIFICATION_REQUIRED") and not user.email_verified:
        raise Forbidden("Verify your email address before creating content.")
    return user
