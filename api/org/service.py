"""Sites and departments share one life cycle: list, create, rename, retire."""

import uuid
from typing import TypeVar

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from api.errors import Conflict, NotFound
from api.org.models import Department, Site

Entity = TypeVar("Entity", Site, Department)


def list_entities(*, session: Session, model: type[Entity], include_inactive: bool = False) -> list[Entity]:
    stmt = select(model).order_by(model.name)
    if not include_inactive:
        stmt = stmt.where(model.is_active)
    return list(session.exec(stmt).all())


def find_by_name(*, session: Session, model: type[Entity], name: str) -> Entity | None:
    return session.exec(select(model).where(func.lower(model.name) == name.strip().lower())).first()


def _ensure_unique_name(session: Session, model: type[Entity], name: str, own_id: uuid.UUID | None = None) -> None:
    other = find_by_name(session=session, model=model, name=name)
    if other is not None and other.id != own_id:
        raise Conflict(f"A {model.__tablename__} named {name!r} already exists")


def create_entity(*, session: Session, model: type[Entity], data: SQLModel) -> Entity:
    _ensure_unique_name(session, model, data.name)
    row = model.model_validate(data)
    session.add(row)
    session.commit()
    return row


def update_entity(*, session: Session, model: type[Entity], entity_id: uuid.UUID, data: SQLModel) -> Entity:
    row = session.get(model, entity_id)
    if row is None:
        raise NotFound(f"No such {model.__tablename__}")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("name"):
        _ensure_unique_name(session, model, changes["name"], row.id)
    row.sqlmodel_update(changes)
    session.add(row)
    session.commit()
    return row


def get_or_create_by_name(*, session: Session, model: type[Entity], name: str, **fields) -> Entity:
    """Used by import and demo: names in a spreadsheet become rows. Only flushes."""
    row = find_by_name(session=session, model=model, name=name)
    if row is None:
        row = model(name=name.strip(), **fields)
        session.add(row)
        session.flush()
    return row
