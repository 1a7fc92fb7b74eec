"""Browser sign-in, sign-out, registration, password reset and email verification."""

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from webapp.auth import bp
from webapp.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from webapp.auth.limits import FORGOT_LIMIT_PER_ACCOUNT, FORGOT_LIMIT_PER_IP, LOGIN_LIMIT, REGISTER_LIMIT
from webapp.auth.redirects import go, safe_next
from webapp.auth.sessions import end_session, start_session
from webapp.extensions import limiter
from webapp.net import client_address
from webapp.pages.render import render
from webapp.services import accounts
from webapp.services.errors import InvalidInput


def _account_key(field: str = "email") -> str:
    return "account:" + accounts.normalise_email(request.form.get(field, ""))


def _user_key() -> str:
    return "user:" + (str(current_user.id) if current_user.is_authenticated else client_address())


def _errors_beside_fields(form, error: InvalidInput) -> None:
    for violation in error.violations:
        field = getattr(form, violation.field, None)
        if field is not None:
            field.errors = [*field.errors, violation.message]


def _status(form) -> int:
    return 422 if request.method == "POST" else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.shared_limit(LOGIN_LIMIT, scope="login-ip", key_func=client_address, methods=["POST"])
@limiter.shared_limit(LOGIN_LIMIT, scope="login-account", key_func=_account_key, methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("pages.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user, remember=form.remember.data)
            return go(safe_next(request.args.get("next")))
        error = accounts.SAME_MESSAGE
    return render("auth/login.html", "form", status=_status(form), form=form, error=error)


@bp.post("/logout")
@login_required
def logout():
    end_session(current_user._get_current_object())
    return go(url_for("pages.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.shared_limit(REGISTER_LIMIT, scope="register-ip", key_func=client_address, methods=["POST"])
def register():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("pages.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            registration = accounts.register_user(form.email.data, form.password.data, form.display_name.data)
        except InvalidInput as error:
            _errors_beside_fields(form, error)
        else:
            # The same answer whether or not the address had an account: no session, just "check your inbox".
            return render("auth/register.html", "form", form=form, sent_to=registration.email)
    return render("auth/register.html", "form", status=_status(form), form=form, sent_to=None)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(FORGOT_LIMIT_PER_IP, key_func=client_address, methods=["POST"])
@limiter.limit(FORGOT_LIMIT_PER_ACCOUNT, key_func=_account_key, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        return render("auth/forgot_password.html", "form", form=form, sent_to=form.email.data)
    return render("auth/forgot_password.html", "form", status=_status(form), form=form, sent_to=None)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10/minute", key_func=client_address, methods=["POST"])
def reset_password(token: str):
    try:
        accounts.check_reset_link(token)
    except accounts.InvalidLink as error:
        return _dead_link(error, reset=True)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except InvalidInput as error:
            _errors_beside_fields(form, error)
        else:
            if current_user.is_authenticated:
                end_session(current_user._get_current_object())
            flash("Your password is changed. Sign in with the new one.", "success")
            return go(url_for("auth.login"))
    return render("auth/reset_password.html", "form", status=_status(form), form=form, token=token)


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    try:
        user = accounts.verify_email(token)
    except accounts.InvalidLink as error:
        return _dead_link(error, reset=False)
    flash(f"Thank you: {user.email} is confirmed.", "success")
    return redirect(url_for("pages.account_show") if current_user.is_authenticated else url_for("auth.login"))


@bp.post("/verify-email")
@login_required
@limiter.limit("3/minute", key_func=_user_key)
def verify_email_send():
    try:
        accounts.send_verification(current_user._get_current_object())
    except accounts.MailUnavailable as error:
        flash(error.message, "error")
    else:
        flash(f"We sent a new link to {current_user.email}.", "success")
    return go(url_for("pages.account_show"))


def _dead_link(error: accounts.InvalidLink, reset: bool):
    return render("auth/link_invalid.html", status=400, message=error.message, reset=reset)
