"""What every piece of owned content shares: an owner, a visibility and a name unique per owner."""

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from webapp.models.base import Timestamped, Visibility, enum_column


class OwnedContent(Timestamped):
    """Owner (NULL for system content) and visibility; names are unique per owner, never across users."""

    owner_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    visibility: Mapped[Visibility] = mapped_column(enum_column(Visibility), default=Visibility.PUBLIC, index=True)

    @property
    def is_system(self) -> bool:
        return self.owner_id is None


def unique_name_per_owner(table: str, name_col: str = "name") -> tuple[sa.Index, sa.Index]:
    """Two partial unique indexes: (owner, name) for users' content and (name) among system content."""
    return (
        sa.Index(
            f"uq_{table}_owner_name",
            "owner_id",
            name_col,
            unique=True,
            sqlite_where=sa.text("owner_id IS NOT NULL"),
            postgresql_where=sa.text("owner_id IS NOT NULL"),
        ),
        sa.Index(
            f"uq_{table}_system_name",
            name_col,
            unique=True,
            sqlite_where=sa.text("owner_id IS NULL"),
            postgresql_where=sa.text("owner_id IS NULL"),
        ),
    )


class HasImage:
    @declared_attr
    def image_id(cls) -> Mapped[uuid.UUID | None]:  # noqa: N805 - declared_attr receives the class
        return mapped_column(sa.ForeignKey("images.id", ondelete="SET NULL"))


def association(name: str, left: str, right: str) -> sa.Table:
    """A many-to-many table between two tables given as "table.column_name" (e.g. "races.race_id")."""
    from webapp.models.base import Base

    (left_table, left_col), (right_table, right_col) = left.split("."), right.split(".")
    return sa.Table(
        name,
        Base.metadata,
        sa.Column(left_col, sa.ForeignKey(f"{left_table}.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(right_col, sa.ForeignKey(f"{right_table}.id", ondelete="CASCADE"), primary_key=True, index=True),
    )
