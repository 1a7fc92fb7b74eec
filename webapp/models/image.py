"""Uploaded images: metadata here, the bytes in object storage."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.models.base import Base
from webapp.models.content import OwnedContent


class Image(OwnedContent, Base):
    __tablename__ = "images"

    content_type: Mapped[str] = mapped_column(sa.String(50), default="image/webp")
    width: Mapped[int] = mapped_column(sa.Integer)
    height: Mapped[int] = mapped_column(sa.Integer)
    size: Mapped[int] = mapped_column(sa.Integer)
    storage_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    thumbnail_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    description: Mapped[str] = mapped_column(sa.String(500), default="")
