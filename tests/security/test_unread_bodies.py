"""A body that no one read, because a refusal came first, is read to its end before the answer goes out: Gunicorn
would otherwise close the connection on the unread rest, and Nginx, still sending it, would answer 502."""

import io

import pytest

BODY = b"x" * (1024 * 1024)


@pytest.mark.parametrize(
    "path, content_type",
    [
        ("/login", "text/plain"),  # a page's form posted as something no form parser reads
        ("/api/v1/characters", "application/octet-stream"),  # the API, no token, a body it never parses
        ("/images", "image/png"),  # an upload sent bare, not as a form
    ],
)
def test_a_refused_body_is_read_to_its_end(client, path, content_type):
    sent = io.BytesIO(BODY)
    response = client.post(path, input_stream=sent, content_length=len(BODY), content_type=content_type)
    assert 400 <= response.status_code < 500
    assert sent.tell() == len(BODY), "the rest of the body was left on the connection"


def test_a_body_above_the_limit_is_left_unread(app, client):
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1
    sent = io.BytesIO(b"x" * too_big)
    response = client.post("/login", input_stream=sent, content_length=too_big, content_type="text/plain")
    assert response.status_code in (400, 413, 422)
    assert sent.tell() == 0, "nothing above the limit is read"
