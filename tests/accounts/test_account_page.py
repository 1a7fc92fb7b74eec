"""The /account page: profile, password change, sessions and "sign out everywhere"."""

import json

from tests.factories import PASSWORD

NEW_PASSWORD = "seven ravens over the keep"


def sign_in(app, user, password=PASSWORD, remember=False):
    browser = app.test_client()
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    response = browser.post("/login", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return browser


def test_account_page_needs_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_account_page_shows_profile_sessions_and_tokens(client, auth, make):
    user = make.user(display_name="Ada", email="ada@example.com")
    auth.login(user)
    page = client.get("/account")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "ada@example.com" in body
    assert "This device" in body
    assert "Sign out everywhere" in body
    assert "Personal API tokens" in body
    assert page.headers["Cache-Control"] == "private, no-store"


def test_profile_update_with_htmx_swaps_the_section_and_toasts(client, auth, make, htmx, db):
    user = make.user(display_name="Ada")
    auth.login(user)
    response = client.post("/account/profile", data={"display_name": "Ada Lovelace", "bio": "Counts."}, headers=htmx)
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)
    assert json.loads(response.headers["HX-Trigger"])["toast"]["level"] == "success"
    db.session.refresh(user)
    assert (user.display_name, user.bio) == ("Ada Lovelace", "Counts.")


def test_profile_needs_a_name_beside_the_field(client, auth, make, htmx):
    auth.login(make.user())
    response = client.post("/account/profile", data={"display_name": ""}, headers=htmx)
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_the_page_counts_what_is_kept_as_the_api_does(client, auth, make, htmx, db):
    """Spaces and what shows nothing at either end are trimmed before the length is counted, on the page as in
    the API: 100 letters between them fit, a name of zero-width spaces is blank."""
    user = make.user(display_name="Ada")
    auth.login(user)
    name, bio = " " * 10 + "x" * 100 + "\u200b", "\n\n" + "y" * 2000 + "  \n"
    response = client.post("/account/profile", data={"display_name": name, "bio": bio}, headers=htmx)
    assert response.status_code == 200
    db.session.refresh(user)
    assert (user.display_name, user.bio) == ("x" * 100, "y" * 2000)
    blank = client.post("/account/profile", data={"display_name": "\u200b\u200b"}, headers=htmx)
    assert blank.status_code == 422 and 'aria-invalid="true"' in blank.get_data(as_text=True)


def test_a_password_keeps_its_spaces(app, make, mailbox):
    user = make.user()
    here = sign_in(app, user)
    response = here.post("/account/password", data={"current_password": PASSWORD, "new_password": f" {NEW_PASSWORD} "})
    assert response.status_code == 303
    assert app.test_client().post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 422
    assert sign_in(app, user, f" {NEW_PASSWORD} ").get("/account").status_code == 200


def test_password_change_refuses_a_wrong_current_password_beside_the_field(client, auth, make, htmx):
    auth.login(make.user())
    response = client.post(
        "/account/password", data={"current_password": "not my password", "new_password": NEW_PASSWORD}, headers=htmx
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "not your current password" in body
    assert 'id="current_password-error"' in body


def test_password_change_keeps_this_browser_and_signs_out_the_others(app, make, mailbox):
    user = make.user(email="ada@example.com")
    here, there = sign_in(app, user), sign_in(app, user)
    response = here.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 303
    assert here.get("/account").status_code == 200
    assert there.get("/account").status_code == 302
    assert mailbox.wait_for(to="ada@example.com", subject="password was changed")
    assert app.test_client().post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422


def test_sign_out_everywhere_ends_another_browsers_session(app, make):
    user = make.user()
    here, there = sign_in(app, user), sign_in(app, user, remember=True)
    assert there.get("/account").status_code == 200

    response = here.post("/account/sessions/end-all")

    assert response.status_code == 303
    assert there.get("/account").status_code == 302
    assert here.get("/account").status_code == 200


def test_one_other_session_can_be_ended(app, make, db):
    from webapp.services.sessions import active_sessions

    user = make.user()
    here, there = sign_in(app, user), sign_in(app, user)
    sessions = active_sessions(user)
    assert len(sessions) == 2
    page = here.get("/account").get_data(as_text=True)
    other = next(s for s in sessions if f"/account/sessions/{s.id}/end" in page)

    assert here.post(f"/account/sessions/{other.id}/end").status_code == 303
    assert there.get("/account").status_code == 302
    assert here.get("/account").status_code == 200


def test_someone_elses_session_cannot_be_ended(app, make):
    from webapp.services.sessions import active_sessions

    alice, bob = make.user(), make.user()
    alice_browser = sign_in(app, alice)
    sign_in(app, bob)
    bobs = active_sessions(bob)[0]
    assert alice_browser.post(f"/account/sessions/{bobs.id}/end").status_code == 404


def test_sign_out_ends_the_session_row(client, auth, make, db):
    from webapp.services.sessions import active_sessions

    user = make.user()
    auth.login(user)
    assert len(active_sessions(user)) == 1
    auth.logout()
    assert active_sessions(user) == []


def test_remember_me_sets_a_lasting_cookie_and_plain_sign_in_does_not(app, make):
    user = make.user()
    remembered = app.test_client()
    response = remembered.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    assert any(h.startswith("remember_token=") for h in response.headers.getlist("Set-Cookie"))
    plain = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert not any(h.startswith("remember_token=") for h in plain.headers.getlist("Set-Cookie"))


def test_remembered_browser_comes_back_without_the_session_cookie(app, make):
    user = make.user()
    browser = sign_in(app, user, remember=True)
    browser.delete_cookie("session")
    assert browser.get("/account").status_code == 200


def test_sign_in_gives_a_fresh_session(app, make):
    user = make.user()
    browser = app.test_client()
    browser.get("/login")
    before = browser.get_cookie("session")
    browser.post("/login", data={"email": user.email, "password": PASSWORD})
    after = browser.get_cookie("session")
    assert after is not None and (before is None or before.value != after.value)
    with browser.session_transaction() as session:
        first = session["_user_id"]
    browser.post("/logout")
    browser.post("/login", data={"email": user.email, "password": PASSWORD})
    with browser.session_transaction() as session:
        assert session["_user_id"] != first


def test_htmx_sign_in_navigates_with_hx_redirect(client, make, htmx):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD}, headers=htmx)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/"


def test_htmx_sign_in_back_to_a_search_in_any_script_sends_the_url_encoded(client, make, htmx):
    user = make.user()
    target = "/compendium/items?search=龍の騎士"
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}, headers=htmx
    )
    assert response.status_code == 204  # Gunicorn refuses a header beyond Latin-1 (conftest.py): it is encoded
    assert response.headers["HX-Redirect"] == "/compendium/items?search=%E9%BE%8D%E3%81%AE%E9%A8%8E%E5%A3%AB"
    assert client.get(response.headers["HX-Redirect"]).status_code == 200


def test_a_plain_sign_in_back_to_a_path_in_any_script_sends_it_encoded(client, make):
    user = make.user()
    response = client.post("/login?next=/%E3%80%80/x", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303  # Gunicorn refuses a header beyond Latin-1 (conftest.py)
    assert response.headers["Location"] == "/%E3%80%80/x"


def test_sign_in_never_redirects_off_site(client, make):
    user = make.user()
    response = client.post("/login?next=//evil.example/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_a_session_idle_for_a_while_is_touched_and_still_works(client, auth, make, db):
    from datetime import UTC, datetime, timedelta

    from webapp.services.sessions import active_sessions

    user = make.user()
    auth.login(user)
    row = active_sessions(user)[0]
    row.last_seen_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    assert client.get("/account").status_code == 200
    db.session.refresh(row)
    assert row.last_seen_at.replace(tzinfo=UTC) > datetime.now(UTC) - timedelta(minutes=1)


def test_an_expired_session_is_signed_out(client, auth, make, db):
    from datetime import UTC, datetime, timedelta

    from webapp.services.sessions import active_sessions

    user = make.user()
    auth.login(user)
    row = active_sessions(user)[0]
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_an_htmx_action_after_being_signed_out_loads_the_sign_in_page_whole_and_comes_back(client, make, htmx):
    hero = make.character()
    page = f"/characters/{hero.id}/inventory?search=rope"
    response = client.post(
        f"/characters/{hero.id}/experience",
        data={"amount": "10"},
        headers={**htmx, "HX-Current-URL": f"http://localhost{page}"},
    )
    assert response.status_code == 204  # not the sign-in form, swapped into the card the action targets
    assert response.headers["HX-Redirect"] == f"/login?next=/characters/{hero.id}/inventory?search%3Drope"
    foreign = client.post(
        f"/characters/{hero.id}/experience",
        data={"amount": "10"},
        headers={**htmx, "HX-Current-URL": "https://evil.example/x"},
    )
    assert foreign.headers["HX-Redirect"] == "/login"
