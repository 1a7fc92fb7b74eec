"""Who the page is for: the signed-in user, or None for a visitor."""

from flask_login import current_user


def me():
    """The signed-in user, or None for a visitor."""
    return current_user._get_current_object() if current_user.is_authenticated else None
