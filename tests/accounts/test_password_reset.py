"""Forgot / reset password by mail: one link, one hour, one use; every session ends."""

from tests.factories import PASSWORD

NEW_PASSWORD = "seven ravens over the keep"


def ask_for_link(client, mailbox, email):
    response = client.post("/forgot-password", data={"email": email})
    assert response.status_code == 200
    return mailbox.link(mailbox.wait_for(to=email, subject="Reset"), "/reset-password/")


def test_reset_link_sets_a_new_password_and_the_old_one_stops_working(client, make, mailbox):
    user = make.user(email="ada@example.com")
    link = ask_for_link(client, mailbox, "ada@example.com")
    assert client.get(link).status_code == 200

    response = client.post(link, data={"password": NEW_PASSWORD})

    assert response.status_code == 303
    old = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert old.status_code == 422
    new = client.post("/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert new.status_code == 303


def test_a_reset_link_works_once(client, make, mailbox):
    make.user(email="ada@example.com")
    link = ask_for_link(client, mailbox, "ada@example.com")
    client.post(link, data={"password": NEW_PASSWORD})
    again = client.post(link, data={"password": "another good long password"})
    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, make, mailbox):
    make.user(email="known@example.com")
    known = client.post("/forgot-password", data={"email": "known@example.com"}).get_data(as_text=True)
    unknown = client.post("/forgot-password", data={"email": "nobody@example.com"}).get_data(as_text=True)
    assert known.replace("known@example.com", "X") == unknown.replace("nobody@example.com", "X")
    mailbox.wait_for(to="known@example.com")
    assert mailbox.sent_to("nobody@example.com") == []


def test_the_answer_goes_out_before_the_mail_server_is_asked(client, make, mailbox):
    """A mail server's time would otherwise tell a known address from an unknown one."""
    make.user(email="ada@example.com")
    response = client.post("/forgot-password", data={"email": "ada@example.com"}, buffered=False)
    assert response.status_code == 200
    assert "ada@example.com" in response.get_data(as_text=True)
    assert mailbox.sent_to("ada@example.com") == []  # the SMTP exchange ends before send() returns
    response.close()  # as the server does once the answer is sent
    mailbox.wait_for(to="ada@example.com", subject="Reset")


def test_a_mail_server_that_is_down_changes_nothing_in_the_answer(app, client, make, monkeypatch, caplog):
    make.user(email="ada@example.com")
    unknown = client.post("/forgot-password", data={"email": "nobody@example.com"})
    monkeypatch.setitem(app.config, "MAIL_URL", "smtp://127.0.0.1:1")  # nothing listens there
    with caplog.at_level("WARNING", logger="tavern.mail"):
        known = client.post("/forgot-password", data={"email": "ada@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace("ada@", "X@") == unknown.get_data(as_text=True).replace("nobody@", "X@")
    assert "mail to ada@example.com could not be sent" in caplog.text


def test_reset_refuses_a_weak_password_beside_the_field(client, make, mailbox, htmx):
    make.user(email="ada@example.com")
    link = ask_for_link(client, mailbox, "ada@example.com")
    response = client.post(link, data={"password": "password1234"}, headers=htmx)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "too common" in body
    assert 'aria-invalid="true"' in body


def test_a_reset_signs_out_every_browser(app, make, mailbox):
    user = make.user(email="ada@example.com")
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": user.email, "password": PASSWORD})
    assert elsewhere.get("/account").status_code == 200

    here = app.test_client()
    link = ask_for_link(here, mailbox, "ada@example.com")
    here.post(link, data={"password": NEW_PASSWORD})

    assert elsewhere.get("/account").status_code == 302


def test_a_tampered_reset_link_is_refused(client, make, mailbox):
    make.user(email="ada@example.com")
    link = ask_for_link(client, mailbox, "ada@example.com")
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 400


def test_with_a_public_url_a_mailed_link_never_follows_the_requests_host(app, client, make, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://tavern.example")
    make.user(email="ada@example.com")
    forged = client.post("/forgot-password", data={"email": "ada@example.com"}, headers={"Host": "evil.example"})
    assert forged.status_code == 200

    link = mailbox.link(mailbox.wait_for(to="ada@example.com", subject="Reset"), "/reset-password/")
    assert link.startswith("https://tavern.example/reset-password/")
    assert client.get(link.removeprefix("https://tavern.example")).status_code == 200


def test_in_production_without_a_mail_server_a_reset_link_never_reaches_the_log(app, client, make, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "APP_ENV", "production")
    monkeypatch.setitem(app.config, "MAIL_URL", None)
    make.user(email="ada@example.com")
    with caplog.at_level("DEBUG"):
        assert client.post("/forgot-password", data={"email": "ada@example.com"}).status_code == 200
    assert "mail to ada@example.com not sent, MAIL_URL is not set" in caplog.text
    assert "reset-password" not in caplog.text
