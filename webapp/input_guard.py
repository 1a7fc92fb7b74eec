"""Every request's text is checked once, before any view: path values, query parameters, form fields and JSON
bodies with a control character (NUL included) or nested too deep never reach a view or the database. A body that
no one read (a refusal that came first) is read to its end before the answer goes out."""

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from webapp import text
from webapp.services.errors import BadQuery, InvalidInput, NestedTooDeep, NotFound, TooLarge, Violation

_WITHOUT_BODY = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_CHUNK = 64 * 1024


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, but bodies are decoded by the one decoder that refuses deep nesting and NaN."""

    def loads(self, s, **kwargs):
        return text.decode_json(s)


def init_app(app: Flask) -> None:
    app.json = JSONProvider(app)
    app.before_request(check_request)
    app.after_request(read_the_rest)


def check_request() -> None:
    """Raise NotFound for a path value no resource can have, BadQuery (400) for a refused query parameter,
    NestedTooDeep (400) for a JSON body nested too deep, InvalidInput (422) for a refused form field or JSON
    text; each names the field."""
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and text.refusal(value) is not None:
            raise NotFound("There is nothing here.")
    problems = _refused(request.args.items(multi=True), lines=False)
    if problems:
        raise BadQuery(problems)
    if request.method in _WITHOUT_BODY:
        return
    problems = _json_problems() if request.is_json else _refused(_form().items(multi=True), lines=True)
    if problems:
        raise InvalidInput(problems, problems[0].message)


def _form():
    """The request's form; TooLarge (413) for a text field past MAX_FORM_MEMORY_SIZE, which would leave the whole
    form empty for the view. A body past MAX_CONTENT_LENGTH reads as empty: the view answers it beside its upload."""
    try:
        return request.form
    except RequestEntityTooLarge:
        length, limit = request.content_length, current_app.config["MAX_CONTENT_LENGTH"]
        if length is not None and limit is not None and length <= limit:
            most = current_app.config["MAX_FORM_MEMORY_SIZE"] // 1000
            raise TooLarge(
                f"Some text in this form is too long: at most {most} KB. To import a character, choose its file."
            ) from None
        return MultiDict()


def _refused(pairs, lines: bool) -> list[Violation]:
    """Names and values of query parameters (one line each) or form fields (lines where the field has them)."""
    problems = []
    for name, value in pairs:
        message = text.refusal(name) or text.refusal(value, lines=lines and text.has_lines(name))
        if message is not None:
            problems.append(Violation(name, message))
    return problems


def _json_problems() -> list[Violation]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return []
    try:
        data = text.decode_json(raw)
    except text.TooDeep as error:
        raise NestedTooDeep(str(error)) from None
    except ValueError:
        return []  # not JSON at all: the view answers that in its own words
    return text.violations_in(data)


def read_the_rest(response):
    """Read what is left of the request's body before answering. Gunicorn throws away at most 64 KiB of a body the
    app left unread and otherwise closes the connection with the rest unread, which resets it while Nginx is still
    sending: the visitor gets a 502 instead of the answer (a refused upload, an expired form), and Nginx counts the
    instance as failed. Nginx has the whole body already, at most MAX_CONTENT_LENGTH."""
    if request.method not in _WITHOUT_BODY and request.content_length:
        try:
            while request.stream.read(_CHUNK):
                pass
        except (HTTPException, OSError):
            pass  # above the limit, or the client left: nothing to keep the connection for
    return response
