"""The user table's writes: admins create and change users; everyone changes their own password."""

import uuid

from sqlmodel import Session, select

from api.auth.links import set_departments
from api.auth.models import Role, User, UserDepartment, normalise_email
from api.auth.passwords import password_problem
from api.auth.schemas import UserCreate, UserPublic, UserUpdate
from api.auth.security import hash_password, verify_password
from api.auth.service import revoke_all_tokens
from api.core.clock import utcnow
from api.errors import Conflict, Invalid, NotFound, field_error


def get_user_by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def create_user(*, session: Session, data: UserCreate) -> User:
    if get_user_by_email(session=session, email=data.email):
        raise Conflict(f"A user with email {data.email} already exists")
    user = User(
        email=data.email,
        display_name=data.display_name,
        role=data.role,
        password_hash=hash_password(data.password),
    )
    session.add(user)
    session.flush()
    set_departments(session, user.id, data.department_ids)
    session.commit()
    return user


def department_ids(session: Session, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Each user's departments, in one query."""
    out: dict[uuid.UUID, list[uuid.UUID]] = {uid: [] for uid in user_ids}
    if user_ids:
        rows = session.exec(select(UserDepartment.user_id, UserDepartment.department_id)
                            .where(UserDepartment.user_id.in_(user_ids))
                            .order_by(UserDepartment.department_id))
        for user_id, department_id in rows:
            out[user_id].append(department_id)
    return out


def public_users(session: Session, users: list[User]) -> list[UserPublic]:
    memberships = department_ids(session, [u.id for u in users])
    return [UserPublic.model_validate(u, update={"department_ids": memberships[u.id]}) for u in users]


def public_user(session: Session, user: User) -> UserPublic:
    return public_users(session, [user])[0]


def list_users(*, session: Session, role: Role | None = None) -> list[User]:
    stmt = select(User).order_by(User.display_name)
    if role:
        stmt = stmt.where(User.role == role)
    return list(session.exec(stmt).all())


def update_user(*, session: Session, user_id: uuid.UUID, data: UserUpdate) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user")
    changes = data.model_dump(exclude_unset=True)
    password = changes.pop("password", None)
    departments = changes.pop("department_ids", None)
    if password:  # the rule again, now that the user's own e-mail address and name are known
        problem = password_problem(password, [user.email, user.display_name, changes.get("display_name")])
        if problem:
            raise Invalid([field_error("password", problem, "weak_password")])
    user.sqlmodel_update(changes)
    if password:
        user.password_hash = hash_password(password)
    user.updated_at = utcnow()
    session.add(user)
    if departments is not None:
        set_departments(session, user.id, departments)
    session.commit()
    if password or changes.get("is_active") is False:
        revoke_all_tokens(session=session, user=user)
    return user


def change_own_password(*, session: Session, user: User, current: str, new: str, keep_token: str | None) -> None:
    """Signs out every other session of the user (the one making the change stays signed in)."""
    if not verify_password(user.password_hash, current):
        raise Invalid([field_error("current_password", "Current password is wrong")])
    problem = password_problem(new, [user.email, user.display_name])  # the rule, with their name
    if problem:
        raise Invalid([field_error("new_password", problem, "weak_password")])
    user.password_hash = hash_password(new)
    user.updated_at = utcnow()
    session.add(user)
    session.commit()
    revoke_all_tokens(session=session, user=user, keep_token=keep_token)
