"""SPEC §4 through the pages: characters and items, every role × visibility × view / edit / delete.

Anonymous visitors are sent to sign in before any change (302); every other cell is the access module's verdict:
the page (200) or a redirect after the change (303), 404 for what may not be seen, 403 for what may not be changed.
"""

from html.parser import HTMLParser

import pytest

from tests.access.conftest import ACTIONS, ACTORS, VISIBILITIES, expected
from tests.factories import PASSWORD

PAGES = {
    "character": {
        "view": "/characters/{id}",
        "edit": "/characters/{id}/identity",
        "delete": "/characters/{id}/delete",
        "endpoints": ("pages.character_show", "pages.character_update", "pages.character_delete"),
    },
    "item": {
        "view": "/compendium/items/{id}",
        "edit": "/compendium/items/{id}/edit",
        "delete": "/compendium/items/{id}/delete",
        "endpoints": ("pages.compendium_detail", "pages.compendium_edit", "pages.compendium_delete"),
    },
}
SUCCESS = {"view": 200, "edit": 303, "delete": 303}


class FormFields(HTMLParser):
    """The values a browser would submit from the form posting to `action`."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.values, self._textarea, self._select = action, False, {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in {"submit", "button"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self.values.setdefault(a["name"], []).append(a.get("value", "y"))
            else:
                self.values[a["name"]] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea] = ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def page_status(actor: str, visibility: str, action: str) -> int:
    if actor == "anonymous" and action != "view":
        return 302
    verdict = expected(actor, visibility, action)
    return SUCCESS[action] if verdict == "ok" else int(verdict)


def browser_for(app, user):
    browser = app.test_client()
    if user is not None:
        assert browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303
    return browser


def edit_form(app, owner, kind, obj) -> dict:
    """What the owner's edit form would send, with the description changed."""
    if kind == "character":
        return {"name": obj.name, "description": "Edited by the matrix"}
    url = PAGES[kind]["edit"].format(id=obj.id)
    parser = FormFields(url)
    parser.feed(browser_for(app, owner).get(url).get_data(as_text=True))
    assert parser.values, "the owner's edit form was not found"
    return {**parser.values, "description": "Edited by the matrix"}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("kind", sorted(PAGES))
def test_pages_matrix(app, db, make, people, kind, actor, visibility, action):
    missing = [name for name in PAGES[kind]["endpoints"] if name not in app.view_functions]
    assert not missing, f"the {kind} pages lost endpoints the matrix checks: {missing}"
    owner = people["owner"]
    obj = make.character(owner=owner, visibility=visibility) if kind == "character" else make.item(
        owner_id=owner.id, visibility=visibility
    )
    data = edit_form(app, owner, kind, obj) if action == "edit" else {}
    browser = browser_for(app, people[actor])
    url = PAGES[kind][action].format(id=obj.id)
    response = browser.get(url) if action == "view" else browser.post(url, data=data)
    assert response.status_code == page_status(actor, visibility, action), response.get_data(as_text=True)[:500]
    if actor == "anonymous" and action != "view":
        assert "/login" in response.headers["Location"]
    if action == "edit" and response.status_code == 303:
        db.session.expire_all()
        assert db.session.get(type(obj), obj.id).description == "Edited by the matrix"
