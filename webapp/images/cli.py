"""Commands: `flask images remove-orphans`."""

from datetime import timedelta

import click
from flask import Flask
from flask.cli import AppGroup

images = AppGroup("images", help="Manage stored images.")


def init_app(app: Flask) -> None:
    app.cli.add_command(images)


@images.command("remove-orphans")
@click.option(
    "--grace-minutes",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Keep objects younger than this: an upload stores its objects just before saving its row.",
)
def remove_orphans_command(grace_minutes: int) -> None:
    """Delete stored image objects that no image refers to."""
    from webapp.services.images import remove_orphans

    removed = remove_orphans(grace=timedelta(minutes=grace_minutes))
    click.echo(f"Removed {removed} orphaned object{'' if removed == 1 else 's'}.")
