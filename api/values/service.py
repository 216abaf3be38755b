"""List, create and change the company's values."""

import uuid

from sqlalchemy import func
from sqlmodel import Session, select

from api.errors import Conflict, Invalid, NotFound, field_error
from api.values.models import CompanyValue
from api.values.schemas import CompanyValueCreate, CompanyValueUpdate


def list_values(*, session: Session, include_archived: bool = False) -> list[CompanyValue]:
    stmt = select(CompanyValue).order_by(CompanyValue.name)
    if not include_archived:
        stmt = stmt.where(CompanyValue.archived == False)  # noqa: E712 - SQL, not Python
    return list(session.exec(stmt).all())


def _ensure_unique_name(session: Session, name: str, own_id: uuid.UUID | None = None) -> None:
    other = session.exec(select(CompanyValue).where(func.lower(CompanyValue.name) == name.strip().lower())).first()
    if other is not None and other.id != own_id:
        raise Conflict(f"A value named {name.strip()!r} already exists")


def create_value(*, session: Session, data: CompanyValueCreate) -> CompanyValue:
    _ensure_unique_name(session, data.name)
    row = CompanyValue(name=data.name.strip(), meaning=data.meaning.strip())
    session.add(row)
    session.commit()
    return row


def update_value(*, session: Session, value_id: uuid.UUID, data: CompanyValueUpdate) -> CompanyValue:
    row = session.get(CompanyValue, value_id)
    if row is None:
        raise NotFound("No such value")
    changes = data.model_dump(exclude_unset=True)
    nulls = [name for name, value in changes.items() if value is None]
    if nulls:
        raise Invalid([field_error(name, "must not be null") for name in nulls])
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        _ensure_unique_name(session, changes["name"], row.id)
    if "meaning" in changes:
        changes["meaning"] = changes["meaning"].strip()
    row.sqlmodel_update(changes)
    session.add(row)
    session.commit()
    return row

