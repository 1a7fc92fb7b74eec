"""Users over JSON: one's own profile; for staff, search, stats, roles and bans."""

import dataclasses
import uuid
from typing import Literal

from pydantic import Field

from webapp.api.responses import json_response, no_content, require_fresh
from webapp.api.spec import endpoint
from webapp.api.wire import Moment, Out, page_json, page_of
from webapp.list_queries import ListQuery
from webapp.models import Role, User
from webapp.services import access, accounts, moderation
from webapp.services.accounts import UserPatch
from webapp.services.moderation import BanBody, RoleBody

TAG = "users"


class UserListQuery(ListQuery):
    role: Literal["USER", "MODERATOR", "ADMIN"] | None = None
    status: Literal["banned", "unverified"] | None = None


class BanOut(Out):
    reason: str
    until: Moment | None = Field(description="When it lifts; null for a lasting ban.")
    by_id: uuid.UUID | None


class UserOut(Out):
    id: uuid.UUID
    email: str
    display_name: str
    bio: str
    role: Role
    email_verified: bool
    is_active: bool
    avatar_image_id: uuid.UUID | None
    last_login_at: Moment | None
    ban: BanOut | None
    created_at: Moment
    updated_at: Moment


class UserStatsOut(Out):
    total: int
    by_role: dict[str, int]
    banned: int
    unverified: int


def user_out(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "bio": user.bio or "",
        "role": user.role,
        "email_verified": user.email_verified,
        "is_active": user.is_active,
        "avatar_image_id": user.avatar_image_id,
        "last_login_at": user.last_login_at,
        "ban": moderation.ban_state(user),
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


@endpoint("GET", "/users", "List users (staff)", TAG, query=UserListQuery, response=page_of(UserOut), auth="required",
          errors={404})
def user_list(caller, query: UserListQuery):
    filters = moderation.UserFilter(search=query.search, role=Role(query.role) if query.role else None,
                                    status=query.status)
    rows, pagination = moderation.search_users(caller.user, filters, query.limit, query.cursor, query.order)
    return json_response(page_json([user_out(u) for u in rows], pagination))


@endpoint("GET", "/users/stats", "Counts of users by role and status (staff)", TAG, response=UserStatsOut,
          auth="required", errors={404})
def user_stats(caller):
    return json_response(dataclasses.asdict(moderation.user_stats(caller.user)))


@endpoint("GET", "/users/me", "Your own profile", TAG, response=UserOut, auth="required")
def user_me(caller):
    return json_response(user_out(access.load_user(caller.user, caller.user.id)))


@endpoint("GET", "/users/<uuid:user_id>", "Get a user (yourself, or anyone for staff)", TAG, response=UserOut,
          auth="required")
def user_get(caller, user_id):
    return json_response(user_out(access.load_user(caller.user, user_id)))


@endpoint("PATCH", "/users/<uuid:user_id>", "Change a profile (yours; admins: non-admins')", TAG, body=UserPatch,
          response=UserOut, auth="write", if_match=True)
def user_update(caller, user_id, body: UserPatch):
    def fresh(user) -> None:  # checked on the locked row: of parallel changes with one tag, one passes
        require_fresh(user_out(user), UserOut)

    return json_response(user_out(accounts.update_profile(caller.user, user_id, body, expect=fresh)))


@endpoint("PUT", "/users/<uuid:user_id>/role", "Set a user's role (admins)", TAG, body=RoleBody, response=UserOut,
          auth="write")
def user_role(caller, user_id, body: RoleBody):
    return json_response(user_out(moderation.set_role(caller.user, user_id, body)))


@endpoint("DELETE", "/users/<uuid:user_id>", "Delete an account (yours; admins: non-admins')", TAG, status=204,
          auth="write", errors={409})
def user_delete(caller, user_id):
    access.require_account_credential(caller.via)
    accounts.delete_account(caller.user, user_id)
    return no_content()


@endpoint("POST", "/users/<uuid:user_id>/ban", "Ban a user (staff)", TAG, body=BanBody, response=UserOut,
          auth="write")
def user_ban(caller, user_id, body: BanBody):
    return json_response(user_out(moderation.ban_user(caller.user, user_id, body)))


@endpoint("POST", "/users/<uuid:user_id>/unban", "Lift a ban (staff)", TAG, response=UserOut, auth="write")
def user_unban(caller, user_id):
    return json_response(user_out(moderation.unban_user(caller.user, user_id)))
