"""Browser sign-in and registration basics (the accounts suite goes deeper)."""

from tests.factories import PASSWORD


def test_sign_in_starts_a_session_and_sign_out_ends_it(client, auth, make):
    user = make.user(display_name="Ada")
    response = auth.login(user)
    assert response.status_code == 303
    assert "Ada" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert "Sign in" in client.get("/").get_data(as_text=True)


def test_wrong_password_and_unknown_email_get_the_same_message(client, make):
    user = make.user()
    wrong = client.post("/login", data={"email": user.email, "password": "not the right one!"})
    unknown = client.post("/login", data={"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 422
    assert b"don&#39;t match an account" in wrong.data
    assert b"don&#39;t match an account" in unknown.data


def test_register_creates_an_account_to_sign_in_with(client):
    response = client.post(
        "/register",
        data={"display_name": "Brannoc", "email": "Brannoc@Example.com", "password": "a lantern in the deep mine"},
    )
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    assert "Brannoc" not in client.get("/").get_data(as_text=True)  # not signed in: the answer would tell
    signed_in = client.post("/login", data={"email": "brannoc@example.com", "password": "a lantern in the deep mine"})
    assert signed_in.status_code == 303
    assert "Brannoc" in client.get("/").get_data(as_text=True)


def test_register_refuses_a_common_password_beside_the_field(client, htmx):
    response = client.post(
        "/register",
        data={"display_name": "B", "email": "b@example.com", "password": "password1234"},
        headers=htmx,
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "too common" in body
    assert 'aria-invalid="true"' in body
    assert "<html" not in body
