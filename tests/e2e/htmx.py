"""Waiting for htmx in a journey: what it does at settle (focus, closing dialogs) is done once the wait returns."""

from contextlib import contextmanager

from playwright.sync_api import Page

_NEXT_SETTLE = """() => ({done: new Promise(resolve => document.addEventListener(
    "htmx:afterSettle", () => setTimeout(resolve), {once: true}))})"""


@contextmanager
def next_settle(page: Page):
    """Returns after the block once the next htmx swap has settled and every settle listener has run.

    An assertion made right after a swap can pass in the 20 ms before htmx settles and miss what settle changes."""
    handle = page.evaluate_handle(_NEXT_SETTLE)
    yield
    page.evaluate("handle => handle.done", handle)
