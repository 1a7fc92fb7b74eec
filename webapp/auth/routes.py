"""Browser sign-in, sign-out, registration, password reset and email verification."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_login import current_user, login_required

from webapp.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from webapp.extensions import limiter, login_manager
from webapp.net import client_address
from webapp.pages.form_errors import put_errors
from webapp.pages.redirects import go, safe_next
from webapp.pages.render import render
from webapp.services import accounts, password_changes, registration, sign_in
from webapp.services.errors import InvalidInput
from webapp.services.sessions import end_session, load_user, start_session
from webapp.services.sign_in import FORGOT_LIMIT_PER_ACCOUNT, FORGOT_LIMIT_PER_IP, LOGIN_LIMIT, REGISTER_LIMIT
from webapp.services.sign_in_links import InvalidLink

bp = Blueprint("auth", __name__)

login_manager.user_loader(load_user)
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # sessions are server-side rows; Flask-Login's hash adds nothing


@login_manager.unauthorized_handler
def _sign_in_first():
    """Send whoever is not (or no longer) signed in to the sign-in page, and back afterwards. An htmx request
    would follow a redirect quietly and swap the sign-in form into the page (a row, a card): it is told to load
    the sign-in page whole instead, coming back to the page the person was on."""
    flash(login_manager.login_message, login_manager.login_message_category)
    if request.headers.get("HX-Request") == "true":
        return go(url_for("auth.login", next=_same_site_path(request.headers.get("HX-Current-URL"))))
    here = request.full_path.rstrip("?") if request.method == "GET" else _same_site_path(request.referrer)
    return redirect(url_for("auth.login", next=here))


def _same_site_path(url: str | None) -> str | None:
    """The path and query of `url` when it points at this site, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.teardown_app_request
def _forget_caller(_error=None) -> None:
    """Who called (and their CSRF token) is cached on `g`; when an app context outlives its request (tests,
    scripts) the next request must not inherit it."""
    g.pop("_login_user", None)
    g.pop("api_caller", None)
    g.pop("csrf_token", None)  # Flask-WTF's signed token for this request's session


def _account_key(field: str = "email") -> str:
    return "account:" + accounts.normalise_email(request.form.get(field, ""))


def _user_key() -> str:
    return "user:" + (str(current_user.id) if current_user.is_authenticated else client_address())


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
        user = sign_in.authenticate(form.login())
        if user is not None:
            start_session(user, remember=form.remember.data)
            return go(safe_next(request.args.get("next")))
        error = sign_in.SAME_MESSAGE
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
            registered = registration.register_user(form.account())
        except InvalidInput as error:
            put_errors(form, error.violations)
        else:
            # The same answer whether or not the address had an account: no session, just "check your inbox".
            return render("auth/register.html", "form", form=form, sent_to=registered.email)
    return render("auth/register.html", "form", status=_status(form), form=form, sent_to=None)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(FORGOT_LIMIT_PER_IP, key_func=client_address, methods=["POST"])
@limiter.limit(FORGOT_LIMIT_PER_ACCOUNT, key_func=_account_key, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_changes.request_password_reset(form.email.data)
        # The same answer whether or not the address has an account.
        return render("auth/forgot_password.html", "form", form=form, sent_to=form.email.data)
    return render("auth/forgot_password.html", "form", status=_status(form), form=form, sent_to=None)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10/minute", key_func=client_address, methods=["POST"])
def reset_password(token: str):
    try:
        password_changes.check_reset_link(token)
    except InvalidLink as error:
        return _dead_link(error, reset=True)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password_changes.reset_password(token, form.reset())
        except InvalidInput as error:
            put_errors(form, error.violations)
        else:
            if current_user.is_authenticated:
                end_session(current_user._get_current_object())
            flash("Your password is changed. Sign in with the new one.", "success")
            return go(url_for("auth.login"))
    return render("auth/reset_password.html", "form", status=_status(form), form=form, token=token)


@bp.get("/verify-email/<token>")
def verify_email(token: str):
    try:
        user = registration.verify_email(token)
    except InvalidLink as error:
        return _dead_link(error, reset=False)
    flash(f"Thank you: {user.email} is confirmed.", "success")
    return redirect(url_for("pages.account_show") if current_user.is_authenticated else url_for("auth.login"))


@bp.post("/verify-email")
@login_required
@limiter.limit("3/minute", key_func=_user_key)
def verify_email_send():
    try:
        registration.send_verification(current_user._get_current_object())
    except registration.MailUnavailable as error:
        flash(error.message, "error")
    else:
        flash(f"We sent a new link to {current_user.email}.", "success")
    return go(url_for("pages.account_show"))


def _dead_link(error: InvalidLink, reset: bool):
    return render("auth/link_invalid.html", status=400, message=error.message, reset=reset)
