"""Who may look at a picture: what the matrix allows, and a PRIVATE one shown through a grant of the viewer's own."""

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Character, Image, User, Visibility
from webapp.services.access.actor import Actor, is_staff, user_of
from webapp.services.access.content import Action, can, load_plain
from webapp.services.access.parties import party_of
from webapp.services.access.users import can_view_user
from webapp.services.errors import NotFound


def can_see_picture(actor: Actor, image: Image) -> bool:
    """Whether the actor may look at a picture: what `can` allows, and a PRIVATE one where it shows what the
    actor reads through a grant of their own: the portrait a player gave their character, for the GM of its
    party; the avatar a user chose, for the staff who see their profile.

    The picture's visibility stays its own for everyone else (a PUBLIC character does not publish a PRIVATE
    portrait). Only a picture its owner put there counts, so no one publishes another's picture by showing it;
    a HIDDEN one stays with moderation. Looking is all this grants: changing, deleting or reusing the picture
    still goes by `can`.
    """
    if can(actor, Action.VIEW, image):
        return True
    user = user_of(actor)
    if user is None or image.visibility != Visibility.PRIVATE or image.owner_id is None:
        return False
    portrait = sa.select(Character.id).where(
        Character.image_id == image.id, Character.owner_id == image.owner_id, Character.id.in_(party_of(user))
    )
    if db.session.execute(portrait.limit(1)).first() is not None:
        return True
    if not is_staff(actor):
        return False
    avatar = sa.select(User).where(User.id == image.owner_id, User.avatar_image_id == image.id)
    profile = db.session.execute(avatar).scalar_one_or_none()
    return profile is not None and can_view_user(actor, profile)


def load_picture(actor: Actor, image_id) -> Image:
    """An image to look at (its details or its picture), as `can_see_picture` allows; NotFound otherwise."""
    image = load_plain(Image, image_id)
    if not can_see_picture(actor, image):
        raise NotFound("No such image.")
    return image
