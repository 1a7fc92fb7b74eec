"""The account page: profile, email verification, password, browser sessions and personal API tokens."""


from flask import flash, request, url_for
from flask_login import login_required

from webapp.pages import bp
from webapp.pages.account_forms import ChangePasswordForm, ProfileForm, TokenForm
from webapp.pages.current import me
from webapp.pages.form_errors import put_errors
from webapp.pages.redirects import go
from webapp.pages.render import is_fragment_request, render, toast
from webapp.services import accounts, password_changes, personal_tokens, sign_in
from webapp.services.errors import InvalidInput, Violation

TEMPLATE = "account/index.html"


def _context(**forms) -> dict:
    user = me()
    profile = forms.pop("profile_form", None) or ProfileForm(obj=user, formdata=None)
    return {
        "me": user,
        "profile_form": profile,
        "password_form": forms.pop("password_form", None) or ChangePasswordForm(formdata=None),
        "token_form": forms.pop("token_form", None) or TokenForm(formdata=None),
        "sessions": sign_in.sessions_of(user),
        "current_session": user.session_id,
        "tokens": personal_tokens.personal_tokens(user),
        "new_token": None,
        **forms,
    }


def _done(block: str, message: str, **extra):
    """After a change: the updated section plus a toast for htmx, a redirect with a flash otherwise."""
    if is_fragment_request():
        return toast(render(TEMPLATE, block, **_context(**extra)), message)
    flash(message, "success")
    return go(url_for("pages.account_show"))


def _invalid(block: str, form, error: InvalidInput | None = None, **extra):
    put_errors(form, error.violations if error else ())
    return render(TEMPLATE, block, status=422, **_context(**extra))


@bp.get("/account")
@login_required
def account_show():
    return render(TEMPLATE, **_context())


@bp.post("/account/profile")
@login_required
def account_profile_update():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _invalid("profile", form, profile_form=form)
    try:
        accounts.update_profile(me(), me().id, form.changes())
    except InvalidInput as error:
        return _invalid("profile", form, error, profile_form=form)
    return _done("profile", "Your profile is saved.")


@bp.post("/account/password")
@login_required
def account_password_update():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _invalid("password", form, password_form=form)
    try:
        password_changes.change_password(me(), form.change(), me().session_id)
    except InvalidInput as error:
        return _invalid("password", form, error, password_form=form)
    return _done("password", "Your password is changed. Every other device has been signed out.")


@bp.post("/account/sessions/<session_id>/end")
@login_required
def account_session_end(session_id: str):
    sign_in.end_other_session(me(), session_id, me().session_id)
    return _done("sessions", "That device is signed out.")


@bp.post("/account/sessions/end-all")
@login_required
def account_sessions_end_all():
    sign_in.sign_out_everywhere(me(), keep_session=me().session_id)
    return _done("sessions", "Every other device is signed out.")


@bp.post("/account/tokens")
@login_required
def account_token_create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _invalid("tokens", form, token_form=form)
    try:
        row, secret = personal_tokens.create_personal_token(me(), form.token())
    except InvalidInput as error:
        error.violations = [
            Violation("expires_on", v.message) if v.field == "expires_at" else v for v in error.violations
        ]
        return _invalid("tokens", form, error, token_form=form)
    # The secret is shown once, in this very response: never through a redirect or the session.
    response = render(TEMPLATE, "tokens", **_context(new_token={"row": row, "secret": secret}))
    response.headers["Cache-Control"] = "private, no-store"
    if is_fragment_request():
        message = f"Token “{row.name}” created. Copy it now: it won't be shown again."
        toast(response, message)
    return response


@bp.post("/account/tokens/<token_id>/revoke")
@login_required
def account_token_revoke(token_id: str):
    personal_tokens.revoke_personal_token(me(), token_id)
    return _done("tokens", "The token is revoked.")


@bp.after_request
def _no_store_for_account(response):
    if request.endpoint and request.endpoint.startswith("pages.account_"):
        response.headers["Cache-Control"] = "private, no-store"
    return response
