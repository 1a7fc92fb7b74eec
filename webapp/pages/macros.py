"""Macros as template globals: the form macros every page uses, the pack's line (drawn once per carried item), and
`htmx_form`, written in Python. Imported inside a block, the macros made Jinja build the macro templates' module
again on every render (Flask's context holds names those templates lack)."""

from collections.abc import Callable

from flask import Flask
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

SHARED = {
    "macros/forms.html": ("field", "submit"),
    "inventory/_pack_row.html": ("pack_row",),
}


def share(app: Flask) -> None:
    """Load each macro template once, with the environment's globals (csrf_token among them), and publish its
    macros. Templates call them without an import; one edited while the app runs is seen after a restart."""
    env = app.jinja_env
    env.globals["htmx_form"] = htmx_form
    for template, names in SHARED.items():
        module = env.get_template(template).module
        env.globals.update({name: getattr(module, name) for name in names})


def htmx_form(
    url: str,
    target: str | None = None,
    swap: str | None = "outerHTML",
    css: str | None = None,
    id: str | None = None,  # noqa: A002 - the attribute's own name, as templates write it
    *,
    caller: Callable[[], str],
    **attributes,
) -> Markup:
    """A form htmx posts, for `{% call htmx_form(url, …) %}fields{% endcall %}`: the URL written once (action for
    plain browsers, hx-post for htmx), with the CSRF token. Other attributes come as keywords, underscores for
    dashes (hx_confirm="…", enctype="…", novalidate=True); None and False leave one out.

    In Python, not a Jinja macro: a sheet calls it some twenty times, and a macro's call cost ten times the markup
    it writes."""
    tag = ["<form"]
    if id:
        tag.append(f' id="{escape(id)}"')
    if css:
        tag.append(f' class="{escape(css)}"')
    url = escape(url)
    tag.append(f' method="post" action="{url}" hx-post="{url}"')
    for name, value in attributes.items():
        if value is None or value is False:
            continue
        name = escape(name.replace("_", "-"))
        tag.append(f" {name}" if value is True else f' {name}="{escape(value)}"')
    if target:
        tag.append(f' hx-target="{escape(target)}"')
        if swap:
            tag.append(f' hx-swap="{escape(swap)}"')
    tag.append(f'>\n  <input name="csrf_token" type="hidden" value="{escape(generate_csrf())}">\n  ')
    return Markup(f"{''.join(tag)}{caller()}\n</form>")  # noqa: S704 - every value escaped above; caller() is markup
