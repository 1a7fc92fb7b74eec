"""People and how they prove who they are: users, browser sessions, refresh tokens, API tokens."""

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.models.base import Base, Role, Timestamped, enum_column


class User(UserMixin, Timestamped, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-cased
    display_name: Mapped[str] = mapped_column(sa.String(100))
    bio: Mapped[str] = mapped_column(sa.String(2000), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.USER, index=True)
    # Loaded only where a password is checked or set: not with every session or token check, nor kept in a cache.
    password_hash: Mapped[str] = mapped_column(sa.String(255), deferred=True)
    email_verified: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    ban_reason: Mapped[str | None] = mapped_column(sa.String(500))
    banned_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    banned_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    avatar_image_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("images.id", ondelete="SET NULL", use_alter=True)
    )
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # Bumped by a password change, a ban or "sign out everywhere": every older session and token dies.
    security_stamp: Mapped[int] = mapped_column(default=0)

    # Flask-Login remembers the browser session's id, not the user's: see webapp/services/sessions.py.
    session_id = None
    session_expires_at = None  # when that session ends

    def get_id(self) -> str | None:
        return self.session_id

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserSession(Timestamped, Base):
    """A signed-in browser; the session cookie names its id, so it can be listed and ended."""

    __tablename__ = "user_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    ip_address: Mapped[str] = mapped_column(sa.String(64), default="")
    last_seen_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="raise")


class RefreshToken(Timestamped, Base):
    """One link of a rotation family; only the hash of the secret is kept."""

    __tablename__ = "refresh_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(128), unique=True)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class TokenScope(enum.StrEnum):
    READ = "read"
    WRITE = "write"


class ApiToken(Timestamped, Base):
    """A personal token for scripts; the secret is shown once and stored only as a hash."""

    __tablename__ = "api_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope), default=TokenScope.READ)
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(sa.String(128), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="raise")
