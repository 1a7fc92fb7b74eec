"""Staff pages: users (search, roles, bans) and the queue of hidden content."""

from datetime import UTC, datetime, time

from flask import flash, request, url_for
from flask_login import login_required
from wtforms import DateField, SelectField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from webapp.models import Role
from webapp.pages import bp
from webapp.pages.current import me
from webapp.pages.form_errors import put_errors
from webapp.pages.redirects import go, safe_next
from webapp.pages.render import is_fragment_request, render, toast
from webapp.pages.trimmed_form import TrimmedForm
from webapp.services import access, moderation
from webapp.services.errors import InvalidInput


class RoleForm(TrimmedForm):
    role = SelectField(
        "Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in Role], validators=[DataRequired()]
    )

    def change(self) -> moderation.RoleBody:
        return moderation.RoleBody.read({"role": self.role.data})


class BanForm(TrimmedForm):
    reason = TextAreaField(
        "Reason",
        validators=[DataRequired(message="Say why."), Length(max=moderation.MAX_REASON)],
        description="Shown to other moderators. Don't paste passwords or private messages.",
    )
    until = DateField(
        "Ban ends on", validators=[Optional()], description="The ban lifts when this day begins (UTC). Empty: lasting."
    )

    def ban(self) -> moderation.BanBody:
        """The form as a ban; InvalidInput when it doesn't fit (a day already begun, say)."""
        until = datetime.combine(self.until.data, time(0, 0), tzinfo=UTC) if self.until.data else None
        return moderation.BanBody.read({"reason": self.reason.data or "", "until": until})


@bp.app_context_processor
def _access_helpers() -> dict:
    return {
        "is_staff": access.is_staff,
        "can_ban": access.can_ban,
        "can_set_role": access.can_set_role,
        "may_hide": access.may_hide,
        "ban_state": moderation.ban_state,
    }


def _filters() -> moderation.UserFilter:
    role = request.args.get("role") or None
    status = request.args.get("status") or None
    return moderation.UserFilter(
        search=(request.args.get("q") or "").strip()[:100] or None,
        role=Role(role) if role in Role.__members__ else None,
        status=status if status in {"banned", "unverified"} else None,
    )


@bp.get("/admin")
@login_required
def admin_users():
    filters = _filters()
    users, pagination = moderation.search_users(me(), filters, limit=25, cursor=request.args.get("cursor") or None)
    return render(
        "admin/users.html",
        "results",
        users=users,
        pagination=pagination,
        filters=filters,
        stats=moderation.user_stats(me()),
        roles=list(Role),
    )


def _user_page(user, status: int = 200, block: str | None = None, role_form=None, ban_form=None):
    role_form = role_form or RoleForm(formdata=None, role=user.role.value)
    return render(
        "admin/user.html",
        block,
        status=status,
        user=user,
        role_form=role_form,
        ban_form=ban_form or BanForm(formdata=None),
    )


@bp.get("/admin/users/<user_id>")
@login_required
def admin_user_show(user_id: str):
    access.require_staff(me())
    return _user_page(access.load_user(me(), user_id))


@bp.post("/admin/users/<user_id>/role")
@login_required
def admin_user_role(user_id: str):
    target = access.load_user_to_promote(me(), user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _user_page(target, 422, "role", role_form=form)
    try:
        user = moderation.set_role(me(), target.id, form.change())
    except InvalidInput as error:
        form.role.errors = [v.message for v in error.violations]
        return _user_page(target, 422, "role", role_form=form)
    return _after_user_change(user, "role", f"{user.display_name} is now {user.role.value.lower()}.")


@bp.post("/admin/users/<user_id>/ban")
@login_required
def admin_user_ban(user_id: str):
    target = access.load_user_to_ban(me(), user_id)
    form = BanForm()
    if not form.validate_on_submit():
        return _user_page(target, 422, "ban", ban_form=form)
    try:
        user = moderation.ban_user(me(), target.id, form.ban())
    except InvalidInput as error:
        put_errors(form, error.violations)
        return _user_page(target, 422, "ban", ban_form=form)
    return _after_user_change(user, "ban", f"{user.display_name} is banned and signed out everywhere.")


@bp.post("/admin/users/<user_id>/unban")
@login_required
def admin_user_unban(user_id: str):
    user = moderation.unban_user(me(), user_id)
    return _after_user_change(user, "ban", f"{user.display_name} is no longer banned.")


def _after_user_change(user, block: str, message: str):
    if is_fragment_request():
        return toast(_user_page(user, block=block), message)
    flash(message, "success")
    return go(url_for("pages.admin_user_show", user_id=user.id))


@bp.get("/admin/hidden")
@login_required
def admin_hidden():
    kind = request.args.get("kind") or None
    entries = moderation.hidden_queue(me(), kind if kind in moderation.KINDS else None)
    return render("admin/hidden.html", "queue", entries=entries, kinds=list(moderation.KINDS), kind=kind)


def _after_content_change(message: str):
    back = safe_next(request.form.get("next"), "pages.admin_hidden")
    if is_fragment_request() and back.startswith(url_for("pages.admin_hidden")):
        entries = moderation.hidden_queue(me())
        response = render("admin/hidden.html", "queue", entries=entries, kinds=list(moderation.KINDS), kind=None)
        return toast(response, message)
    flash(message, "success")
    return go(back)


@bp.post("/admin/content/<kind>/<object_id>/hide")
@login_required
def admin_content_hide(kind: str, object_id: str):
    moderation.hide_content(me(), kind, object_id)
    return _after_content_change("Hidden. Only its owner and staff can see it now.")


@bp.post("/admin/content/<kind>/<object_id>/restore")
@login_required
def admin_content_restore(kind: str, object_id: str):
    moderation.restore_content(me(), kind, object_id)
    return _after_content_change("Restored as private: its owner can publish it again.")


@bp.post("/admin/content/<kind>/<object_id>/delete")
@login_required
def admin_content_delete(kind: str, object_id: str):
    moderation.delete_hidden(me(), kind, object_id)
    return _after_content_change("Deleted for good.")
