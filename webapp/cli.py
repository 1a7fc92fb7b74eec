"""Commands: `flask seed [--demo]`, `flask create-admin EMAIL` and `flask images remove-orphans`."""

from datetime import timedelta

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

images = AppGroup("images", help="Manage stored images.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(create_admin)
    app.cli.add_command(images)


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also add demo accounts, characters and a campaign.")
@with_appcontext
def seed(demo: bool) -> None:
    """Load the reference content (safe to run again: it updates, never duplicates)."""
    from webapp.seed import load_reference

    counts = load_reference()
    click.echo("Reference content: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    if demo:
        from webapp.seed.demo import load_demo

        for line in load_demo():
            click.echo(line)


@click.command("create-admin")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "display_name", default="Administrator", show_default=True)
@with_appcontext
def create_admin(email: str, password: str, display_name: str) -> None:
    """Create an administrator, or promote an existing account to administrator."""
    from webapp.services.accounts import ensure_admin

    user, created = ensure_admin(email, password, display_name)
    click.echo(f"{'Created' if created else 'Promoted'} administrator {user.email}")


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
