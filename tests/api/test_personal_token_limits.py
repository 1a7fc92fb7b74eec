"""What docs/api.md says a personal token cannot do, whatever its scope: manage credentials."""

from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture
def holder(make):
    user = make.user()
    _, secret = make.personal_token(user, "write")
    row, _ = make.personal_token(user, "read", name="older script")
    return user, {"Authorization": f"Bearer {secret}"}, row


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/tokens", None),
        ("POST", "/api/v1/tokens", {"name": "replacement", "scope": "write"}),
        ("DELETE", "/api/v1/tokens/{token}", None),
        ("PUT", "/api/v1/auth/password", {"current_password": "correct horse battery staple",
                                          "new_password": "a brand new passphrase"}),
        ("POST", "/api/v1/auth/logout-all", None),
        ("DELETE", "/api/v1/users/{user}", None),
    ],
)  # fmt: skip
def test_a_write_token_can_neither_list_rotate_nor_manage_credentials(client, holder, method, path, body):
    user, headers, other = holder
    response = client.open(path.format(token=other.id, user=user.id), method=method, json=body, headers=headers)
    assert response.status_code == 403, response.get_json()
    assert "Personal API tokens can't manage passwords or tokens" in response.get_json()["detail"]
    assert client.get("/api/v1/users/me", headers=headers).status_code == 200, "and it still works"


def test_the_docs_say_so():
    text = " ".join(DOCS.read_text().split())
    assert "**What a personal token cannot do**" in text
    for words in ("`GET /tokens`", "`POST /tokens`", "`DELETE /tokens/<id>`", "neither list the account's tokens nor "
                  "rotate its own", "`PUT /auth/password`", "`POST /auth/logout-all`"):  # fmt: skip
        assert words in text, words
