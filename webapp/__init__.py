"""Tavern: build, equip and run fantasy role-playing characters."""

import click
from flask import Flask

from webapp.config import MIGRATIONS, ROOT, load_config


def create_app(config: object | None = None) -> Flask:
    """Build the app from the environment (or an explicit config object, as the tests do)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(config or load_config())
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from webapp import caching, extensions, invalidation, live, redis_store, storage  # noqa: F401 - listeners
    from webapp.database import configure_engine

    extensions.db.init_app(app)
    configure_engine(app)
    if click.get_current_context(silent=True) is not None:  # a `flask …` command, not a server
        register_migrations(app)
    extensions.login_manager.init_app(app)
    extensions.csrf.init_app(app)
    extensions.cache.init_app(app)
    extensions.limiter.init_app(app)
    redis_store.init_app(app)
    live.init_app(app)
    caching.init_app(app)
    storage.init_app(app)


def register_migrations(app: Flask) -> None:
    """`flask db …` and the tests' migrations (Flask-Migrate). Alembic, with the Mako and Pygments it imports, costs
    a process some 11 MB, so a command loads it and a server's worker never does."""
    from flask_migrate import Migrate

    from webapp import extensions

    Migrate(app, extensions.db, directory=str(MIGRATIONS), render_as_batch=True, compare_type=True)


def register_blueprints(app: Flask) -> None:
    from webapp import api, observability, pages
    from webapp.auth import routes as auth_routes

    app.register_blueprint(observability.bp)
    pages.register(app)
    app.register_blueprint(auth_routes.bp)
    api.register(app)


def register_errorhandlers(app: Flask) -> None:
    from webapp import errors

    errors.init_app(app)


def register_request_hooks(app: Flask) -> None:
    from webapp import input_guard, observability, page_etags, security

    observability.init_app(app)
    input_guard.init_app(app)
    page_etags.init_app(app)
    security.init_app(app)


def register_commands(app: Flask) -> None:
    from webapp import cli

    cli.init_app(app)
