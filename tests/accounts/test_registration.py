"""Registering, confirming the email address by mail, and the verification gate."""

import pytest

from webapp.models import User
from webapp.services import access
from webapp.services.errors import Forbidden

GOOD_PASSWORD = "a lantern in the deep mine"


def register(client, email="ada@example.com", name="Ada", password=GOOD_PASSWORD, **kw):
    return client.post("/register", data={"display_name": name, "email": email, "password": password}, **kw)


def user_named(db, email):
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one()


def test_registering_mails_a_verification_link_that_confirms_the_address(client, mailbox, db):
    response = register(client)
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    message = mailbox.wait_for(to="ada@example.com", subject="Confirm your email")
    link = mailbox.link(message, "/verify-email/")
    assert not user_named(db, "ada@example.com").email_verified

    response = client.get(link)

    assert response.status_code == 302
    db.session.expire_all()
    assert user_named(db, "ada@example.com").email_verified


def test_a_verification_link_works_once(client, mailbox):
    register(client)
    link = mailbox.link(mailbox.wait_for(to="ada@example.com"), "/verify-email/")
    client.get(link)
    again = client.get(link)
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_a_forged_verification_link_is_refused(client):
    response = client.get("/verify-email/not-a-real-token")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_the_account_page_sends_the_link_again(client, auth, make, mailbox):
    user = make.user(email="late@example.com", email_verified=False)
    auth.login(user)
    assert "Send the link again" in client.get("/account").get_data(as_text=True)
    response = client.post("/verify-email")
    assert response.status_code == 303
    assert mailbox.link(mailbox.wait_for(to="late@example.com"), "/verify-email/")


def test_registration_does_not_fail_when_the_mail_server_is_down(client, app, db):
    app.config["MAIL_URL"] = "smtp://127.0.0.1:1"  # nothing listens there
    try:
        assert register(client).status_code == 200
    finally:
        app.config["MAIL_URL"] = None
    assert user_named(db, "ada@example.com")


def test_without_mail_url_the_mail_is_logged_with_its_link(client, caplog):
    with caplog.at_level("INFO", logger="tavern.mail"):
        register(client)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "tavern.mail")
    assert "/verify-email/" in logged
    assert GOOD_PASSWORD not in logged


def test_registering_a_taken_address_answers_exactly_as_a_new_one_and_mails_its_owner(client, make, mailbox, db):
    owner = make.user(email="ada@example.com", display_name="Ada Lovelace")
    before = owner.password_hash

    taken = register(client, email="ADA@example.com", name="Mallory", password="another lantern in the mine")
    fresh = register(client, email="new@example.com", name="Grace")

    assert taken.status_code == fresh.status_code == 200
    assert taken.get_data(as_text=True).replace("ada@example.com", "new@example.com") == fresh.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # neither answer signed anybody in
    notice = mailbox.wait_for(to="ada@example.com", subject="Someone tried to register")
    assert "Ada Lovelace" in notice.get_content() and "/forgot-password" in notice.get_content()
    assert not mailbox.sent_to("ada@example.com")[0]["Subject"].startswith("Confirm")
    db.session.expire_all()
    assert db.session.get(User, owner.id).password_hash == before
    assert db.session.get(User, owner.id).display_name == "Ada Lovelace"
    assert len(db.session.execute(db.select(User).where(User.email == "ada@example.com")).all()) == 1


def test_the_api_answers_a_taken_address_with_the_same_status_and_shape(client, make, mailbox):
    owner = make.user(email="bob@example.com")
    body = {"email": "Bob@Example.com", "password": GOOD_PASSWORD, "display_name": "Mallory"}

    taken = client.post("/api/v1/auth/register", json=body)
    fresh = client.post("/api/v1/auth/register", json={**body, "email": "carol@example.com"})

    assert taken.status_code == fresh.status_code == 201
    assert set(taken.get_json()) == set(fresh.get_json()) == {"id", "email", "role"}
    assert taken.get_json()["email"] == "bob@example.com" and taken.get_json()["role"] == "USER"
    assert taken.get_json()["id"] != str(owner.id)
    assert mailbox.wait_for(to="bob@example.com", subject="Someone tried to register")
    assert mailbox.wait_for(to="carol@example.com", subject="Confirm your email")


@pytest.mark.parametrize(
    "password, message",
    [("short one", "12"), ("x" * 129, "128"), ("password1234", "too common"), ("aaaaaaaaaaaaaa", "too common")],
)
def test_unacceptable_passwords_are_refused(client, password, message):
    response = register(client, password=password)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_unverified_users_cannot_create_content_when_verification_is_required(app, make):
    user = make.user(email_verified=False)
    app.config["EMAIL_VERIFICATION_REQUIRED"] = True
    try:
        with pytest.raises(Forbidden, match="Verify your email"):
            access.require_creator(user)
        user.email_verified = True
        assert access.require_creator(user) is user
    finally:
        app.config["EMAIL_VERIFICATION_REQUIRED"] = False


def test_unverified_users_may_create_when_verification_is_off(app, make):
    user = make.user(email_verified=False)
    assert access.require_creator(user) is user


def test_api_register_answers_201_with_id_email_and_role(client, mailbox):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "Bob@Example.com", "password": GOOD_PASSWORD, "display_name": "Bob"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "email", "role"}
    assert body["email"] == "bob@example.com"
    assert body["role"] == "USER"
    assert response.headers["Cache-Control"].startswith("no-store")
    link = mailbox.link(mailbox.wait_for(to="bob@example.com"), "/verify-email/")
    token = link.rsplit("/", 1)[1]
    confirmed = client.get("/api/v1/auth/verify/confirm", query_string={"token": token})
    assert confirmed.status_code == 200
    assert confirmed.get_json()["email_verified"] is True


def test_an_address_that_outgrows_its_column_once_lowered_is_refused_beside_it(client):
    email = "İ" * 200 + "@example.com"  # 212 characters as typed, 412 once lower-cased (İ lowers to two)
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": GOOD_PASSWORD, "display_name": "Dotted"}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": "email", "message": "Enter an email address, like name@example.com."}
    ]


def test_api_register_refuses_unknown_fields_and_bad_passwords(client):
    unknown = client.post(
        "/api/v1/auth/register",
        json={"email": "c@example.com", "password": GOOD_PASSWORD, "display_name": "C", "role": "ADMIN"},
    )
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"][0]["field"] == "role"
    common = client.post(
        "/api/v1/auth/register", json={"email": "c@example.com", "password": "password1234", "display_name": "C"}
    )
    assert common.status_code == 422
    assert common.get_json()["errors"][0]["field"] == "password"


def test_api_verify_send_mails_a_link(client, make, mailbox):
    user = make.user(email="script@example.com", email_verified=False)
    response = client.post("/api/v1/auth/verify/send", headers={"Authorization": f"Bearer {make.access_token(user)}"})
    assert response.status_code == 204
    assert mailbox.wait_for(to="script@example.com", subject="Confirm")
