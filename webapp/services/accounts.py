"""Accounts: creating people and changing who they are."""

import sqlalchemy as sa

from webapp.auth.passwords import hash_password
from webapp.extensions import db
from webapp.models import Role, User


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(sa.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def ensure_admin(email: str, password: str, display_name: str = "Administrator") -> tuple[User, bool]:
    """Create an ADMIN with this email, or promote the existing account; returns (user, created)."""
    user = find_user_by_email(email)
    created = user is None
    if created:
        user = User(
            email=normalise_email(email),
            display_name=display_name,
            password_hash=hash_password(password),
            email_verified=True,
        )
        db.session.add(user)
    user.role = Role.ADMIN
    db.session.commit()
    return user, created
