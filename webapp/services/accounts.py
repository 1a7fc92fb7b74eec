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


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None: unknown email, wrong password, banned and inactive all look
    the same to the caller, so nobody learns which accounts exist."""
    from webapp.auth.passwords import needs_rehash, verify_password
    from webapp.services.access import may_sign_in

    user = find_user_by_email(email)
    if user is None:
        verify_password(_DUMMY_HASH(), password)  # same work either way: no timing hint
        return None
    if not verify_password(user.password_hash, password) or not may_sign_in(user):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def register_user(email: str, password: str, display_name: str) -> User:
    """Create a USER; raises InvalidInput for a taken email or an unacceptable password. Commits."""
    from webapp.auth.password_policy import password_problems
    from webapp.services.errors import InvalidInput, Violation

    email = normalise_email(email)
    problems = [Violation("password", message) for message in password_problems(password, email, display_name)]
    if find_user_by_email(email) is not None:
        problems.append(Violation("email", "An account with this email already exists. Sign in instead?"))
    if problems:
        raise InvalidInput(problems)
    user = User(email=email, display_name=display_name.strip(), password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


_dummy: list[str] = []


def _DUMMY_HASH() -> str:  # noqa: N802 - a lazily built constant
    if not _dummy:
        _dummy.append(hash_password("not-a-real-password-at-all"))
    return _dummy[0]
