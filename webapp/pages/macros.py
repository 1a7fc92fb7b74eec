"""Macros as template globals: the form macros every page uses, and the pack's line (drawn once per carried item).
Imported inside a block, they made Jinja build the macro templates' module again on every render (Flask's context
holds names those templates lack)."""

from flask import Flask

SHARED = {
    "macros/htmx.html": ("htmx_form",),
    "macros/forms.html": ("field", "submit"),
    "inventory/_pack_row.html": ("pack_row",),
}


def share(app: Flask) -> None:
    """Load each macro template once, with the environment's globals (csrf_token among them), and publish its
    macros. Templates call them without an import; one edited while the app runs is seen after a restart."""
    env = app.jinja_env
    for template, names in SHARED.items():
        module = env.get_template(template).module
        env.globals.update({name: getattr(module, name) for name in names})
