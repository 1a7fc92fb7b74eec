"""CSRF on every form and htmx request; only Bearer-token API calls are exempt, cookie-based API calls are not."""

import re

from tests.factories import PASSWORD


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def header_token(page: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def test_a_form_post_without_the_token_is_refused_and_with_it_passes(client, make, csrf_enabled):
    user = make.user()
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert "expired" in refused.get_data(as_text=True)

    token = csrf_token(client.get("/login").get_data(as_text=True))
    accepted = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert accepted.status_code == 303


def test_an_htmx_post_without_the_header_is_refused_and_with_it_passes(client, auth, make, htmx, app):
    user = make.user(display_name="Ada")
    auth.login(user)  # CSRF is switched on only after signing in
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        form = {"display_name": "Ada L", "bio": ""}
        refused = client.post("/account/profile", data=form, headers=htmx)
        assert refused.status_code == 400
        assert refused.headers["HX-Retarget"] == "#toasts"

        token = header_token(client.get("/account").get_data(as_text=True))
        accepted = client.post("/account/profile", data=form, headers={**htmx, "X-CSRFToken": token})
        assert accepted.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_sign_out_needs_the_token_too(client, auth, make, app):
    auth.login(make.user())
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/logout").status_code == 400
        assert client.get("/account").status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_cookie_based_api_calls_need_the_token(client, auth, make, app):
    user = make.user()
    auth.login(user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.patch(f"/api/v1/users/{user.id}", json={"bio": "csrf"})
        assert refused.status_code == 400
        assert refused.mimetype == "application/problem+json"
        assert refused.get_json()["code"] == "csrf_failed"
        token = header_token(client.get("/account").get_data(as_text=True))
        accepted = client.patch(f"/api/v1/users/{user.id}", json={"bio": "csrf"}, headers={"X-CSRFToken": token})
        assert accepted.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_bearer_token_api_calls_are_exempt(client, make, csrf_enabled):
    user = make.user()
    headers = {"Authorization": f"Bearer {make.access_token(user)}"}
    assert client.patch(f"/api/v1/users/{user.id}", json={"bio": "script"}, headers=headers).status_code == 200


def test_every_form_on_the_account_and_admin_pages_carries_a_token(client, auth, make, app):
    from webapp.models import Role

    admin = make.user(role=Role.ADMIN, email_verified=False)
    target = make.user()
    make.character(visibility="HIDDEN")
    auth.login(admin)
    app.config["WTF_CSRF_ENABLED"] = True
    pages = {}
    try:
        for url in ("/account", "/admin", f"/admin/users/{target.id}", "/admin/hidden", "/forgot-password"):
            pages[url] = client.get(url).get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    for url, page in pages.items():
        forms = re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S)
        posts = [f for f in forms if 'method="post"' in f]
        assert posts, url
        for form in posts:
            assert 'name="csrf_token"' in form, (url, form[:200])


def test_a_bearer_header_does_not_switch_off_csrf_on_a_page(client, auth, make, htmx, app, db):
    """A cookie-signed htmx form with a made-up Bearer header and no CSRF token is refused, and nothing changes."""
    from webapp.models import Character, Visibility

    owner = make.user()
    hero = make.character(owner=owner, visibility=Visibility.PRIVATE)
    auth.login(owner)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        forged = client.post(
            f"/characters/{hero.id}/visibility",
            data={"visibility": "PUBLIC"},
            headers={**htmx, "Authorization": "Bearer x"},
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert forged.status_code == 400
    db.session.expire_all()
    assert db.session.get(Character, hero.id).visibility == Visibility.PRIVATE


def test_an_api_call_with_an_invalid_bearer_rides_on_no_cookie(client, auth, make, app, db):
    """The API resolves a Bearer caller from the token alone: a bad token is a 401 even beside a live session."""
    from webapp.models import User

    user = make.user(bio="before")
    auth.login(user)
    assert client.get("/api/v1/users/me").get_json()["id"] == str(user.id)  # the cookie is live
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.patch(
            f"/api/v1/users/{user.id}", json={"bio": "forged"}, headers={"Authorization": "Bearer x"}
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 401
    db.session.expire_all()
    assert db.session.get(User, user.id).bio == "before"


def test_a_valid_bearer_beside_a_cookie_acts_as_the_token_user(client, auth, make):
    browser_user, script_user = make.user(display_name="Browser"), make.user(display_name="Script")
    auth.login(browser_user)
    headers = {"Authorization": f"Bearer {make.access_token(script_user)}"}
    assert client.get("/api/v1/users/me").get_json()["display_name"] == "Browser"
    assert client.get("/api/v1/users/me", headers=headers).get_json()["display_name"] == "Script"
