"""Every form the pages offer, found by reading the pages as a browser would, filled by hypothesis with any
Unicode, control characters, huge and negative numbers and made-up choices, posted as a form and as htmx:
never a 500. A POST route no page offers a form for fails the test, so a new form is fuzzed from day one."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from tests.support import AuthActions
from webapp.models import Role
from webapp.services import sign_in_links

# Forms that end the signed-in session or wipe what the other forms act on are fuzzed last.
LAST = re.compile(r"/logout|/sessions/|/password|/delete|/archive|/discard|/remove|/revoke")
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["2147483648", "-2147483649", "9223372036854775808", "1e309", "NaN", "-0", "0x1f", " 7 ", ""]),
)
TEXT = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\r\n", "%00", "é" * 6000, "<b>x</b>", "{{7*7}}", "‮🐉"]),
)


@dataclass
class Control:
    name: str
    kind: str  # text, number, choice, hidden, file
    values: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    controls: dict[str, Control] = field(default_factory=dict)


class FormReader(HTMLParser):
    """The forms of a page (method post or hx-post) with their controls; hx-post buttons outside forms too."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self._open = page, [], None
        self._select: Control | None = None

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if tag == "form" and (attr.get("method", "").lower() == "post" or "hx-post" in attr):
            self._open = Form(self.page, attr.get("hx-post") or attr.get("action") or self.page)
            self.forms.append(self._open)
            return
        target = self._open
        if tag != "form" and "hx-post" in attr and (target is None or attr["hx-post"] != target.action):
            target = Form(self.page, attr["hx-post"], dict(self._open.controls) if self._open else {})
            self.forms.append(target)
        if target is None:
            return
        name = attr.get("name")
        if tag == "select" and name:
            self._select = target.controls.setdefault(name, Control(name, "choice"))
        elif tag == "option" and self._select is not None:
            self._select.values.append(attr.get("value", ""))
        elif tag == "textarea" and name:
            target.controls[name] = Control(name, "text")
        elif tag in {"input", "button"} and name:
            kind = attr.get("type", "text" if tag == "input" else "submit")
            value = attr.get("value", "")
            if kind in {"radio", "checkbox", "submit"}:
                target.controls.setdefault(name, Control(name, "choice")).values.append(value)
            elif kind == "number":
                target.controls[name] = Control(name, "number", [value])
            elif kind in {"hidden", "file"}:
                target.controls[name] = Control(name, kind, [value])
            else:
                target.controls[name] = Control(name, "text", [value])

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None
        elif tag == "select":
            self._select = None


def _values(control: Control):
    if control.kind == "number":
        return NUMBERS
    if control.kind == "choice":
        return st.one_of(st.sampled_from(control.values or [""]), TEXT)
    if control.kind == "hidden":
        return st.one_of(st.just(control.values[0]), TEXT) if control.name != "csrf_token" else st.just("")
    return TEXT


@pytest.fixture
def world(app, make, db):
    """An admin (address unconfirmed) who plays, runs a campaign with another player's character in it and one
    asking to join, owns homebrew of every kind, a token and a second session; other players' public and banned
    accounts to moderate; a reset link."""
    reference = make.reference()
    skill, perk = make.skill(name="Stonecunning"), make.perk(name="Tough")
    admin = make.user(display_name="Ada", role=Role.ADMIN, email_verified=False)
    hero = make.character(owner=admin, name="Brannoc", skills=[skill], perks=[perk])
    novice = make.character(owner=admin, name="Novice")  # a free perk slot: its sheet offers "Take perk"
    sword = make.item(name="Plain Sword", slot="ONE_HAND")
    potion = make.item(name="Red Potion", is_consumable=True, bonus_health=5)
    for item in (sword, potion, *list(reference["item"].values())[:3]):
        make.give(hero, item, 2)
    campaign, (member,) = make.party(1, gm=admin, name="The Sunken Keep")
    make.membership(campaign, make.character(name="Latecomer"), status="PENDING")
    homebrew = {kind: getattr(make, kind)(owner_id=admin.id, name=f"My {kind}") for kind in
                ("race", "archetype", "skill", "perk", "item", "tag")}  # fmt: skip
    victim = make.user(display_name="Victim")
    make.character(owner=victim, name="Hidden One", visibility="HIDDEN")
    public = make.item(owner_id=victim.id, name="Victim's Lamp", visibility="PUBLIC")
    banned = make.user(display_name="Banned", ban_reason="spam")
    make.personal_token(admin)
    AuthActions(app.test_client()).login(admin)  # another browser: a session to end
    return {"admin": admin, "hero": hero, "member": member, "campaign": campaign, "homebrew": homebrew,
            "victim": victim, "banned": banned, "public": public, "sword": sword, "novice": novice,
            "reset": sign_in_links.make_token(admin, sign_in_links.RESET_PASSWORD)}  # fmt: skip


def _pages(w) -> list[str]:
    hero, campaign, victim = w["hero"], w["campaign"], w["victim"]
    pages = ["/", "/characters", f"/characters/{hero.id}", f"/characters/{w['novice'].id}",
             f"/characters/{hero.id}/inventory",
             f"/characters/{hero.id}/inventory?search=a", f"/characters/{hero.id}/identity/edit",
             f"/characters/{hero.id}/equipment/preview?item_id={w['sword'].id}&slot=main_hand",
             f"/characters/{hero.id}/delete", "/characters/import", "/campaigns", "/campaigns/new",
             f"/campaigns/{campaign.id}", f"/campaigns/{campaign.id}/table", f"/campaigns/{campaign.id}/edit",
             f"/join/{campaign.invite_code}",
             "/account", "/admin", f"/admin/users/{victim.id}", f"/admin/users/{w['banned'].id}", "/admin/hidden",
             f"/compendium/items/{w['public'].id}"]  # fmt: skip
    pages += [f"/characters/new/{step}" for step in ("identity", "race", "archetype", "attributes", "skills", "review")]
    for kind, entry in w["homebrew"].items():
        plural = "archetypes" if kind == "archetype" else f"{kind}s"
        pages += [f"/compendium/{plural}", f"/compendium/{plural}/new", f"/compendium/{plural}/{entry.id}",
                  f"/compendium/{plural}/{entry.id}/edit"]  # fmt: skip
    return pages


SIGNED_OUT_PAGES = ["/login", "/register", "/forgot-password"]


def _forms(client, pages) -> list[Form]:
    found: dict[str, Form] = {}
    for page in pages:
        response = client.get(page, follow_redirects=True)
        assert response.status_code == 200, page
        reader = FormReader(page)
        reader.feed(response.get_data(as_text=True))
        for form in reader.forms:
            path = urlsplit(form.action).path or page
            found.setdefault(f"{path}?{sorted(form.controls)}", form)
    return list(found.values())


def _endpoint(app, action: str) -> str | None:
    try:
        return app.url_map.bind("localhost").match(urlsplit(action).path, method="POST")[0]
    except (NotFound, MethodNotAllowed):
        return None


def test_no_page_form_answers_a_server_error_whatever_is_typed(app, client, auth, world, htmx):
    forms = _forms(app.test_client(), [*SIGNED_OUT_PAGES, f"/reset-password/{world['reset']}"])
    auth.login(world["admin"])
    forms += _forms(client, _pages(world))
    forms.sort(key=lambda form: (bool(LAST.search(form.action)), form.action))

    offered = {_endpoint(app, form.action) for form in forms}
    routes = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods and not r.rule.startswith("/api")}
    # Uploads post a file from script; the avatar and portrait forms then post what the upload answered.
    unreached = routes - offered - {"pages.image_upload"}
    assert not unreached, f"POST routes no page offers a form for: {sorted(unreached)}"
    assert None not in offered, [form.action for form in forms if _endpoint(app, form.action) is None]

    for form in forms:
        _fuzz(client, htmx, form)


def _fuzz(client, htmx, form: Form) -> None:
    @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({name: _values(c) for name, c in form.controls.items() if c.kind != "file"}),
           st.booleans())  # fmt: skip
    def post(data, as_htmx):
        response = client.post(form.action, data=data, headers=htmx if as_htmx else {})
        assert response.status_code < 500, (form.page, form.action, data, response.get_data(as_text=True)[:500])

    post()
