"""Browser sign-in, sign-out and registration."""

from flask import redirect, request, url_for
from flask_login import current_user, login_required

from webapp.auth import bp
from webapp.auth.forms import LoginForm, RegisterForm
from webapp.auth.sessions import end_session, start_session
from webapp.extensions import limiter
from webapp.net import client_address
from webapp.pages.render import render
from webapp.services import accounts
from webapp.services.errors import InvalidInput


def _login_account_key() -> str:
    return "login-account:" + accounts.normalise_email(request.form.get("email", ""))


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("pages.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5/minute", key_func=client_address, methods=["POST"])
@limiter.limit("5/minute", key_func=_login_account_key, methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("pages.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")), code=303)
        error = "That email and password don't match an account we can sign in."
    status = 422 if request.method == "POST" else 200
    return render("auth/login.html", "form", status=status, form=form, error=error)


@bp.post("/logout")
@login_required
def logout():
    end_session(current_user._get_current_object())
    return redirect(url_for("pages.home"), code=303)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("3/minute", key_func=client_address, methods=["POST"])
def register():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_user(form.email.data, form.password.data, form.display_name.data)
        except InvalidInput as error:
            for violation in error.violations:
                field = getattr(form, violation.field, None)
                if field is not None:
                    field.errors = [*field.errors, violation.message]
        else:
            start_session(user)
            return redirect(url_for("pages.home"), code=303)
    status = 422 if request.method == "POST" else 200
    return render("auth/register.html", "form", status=status, form=form)
