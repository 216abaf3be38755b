"""Read and change the organisation settings."""

from sqlmodel import Session

from api.auth.models import Role, User
from api.core.clock import utcnow
from api.errors import Invalid, field_error
from api.settings.models import OrgSetting
from api.settings.schemas import OrgSettingsPublic, OrgSettingsUpdate

ROW_ID = 1


def org_settings(*, session: Session) -> OrgSetting:
    """The stored settings, or the defaults when no admin has saved any yet (nothing is written)."""
    return session.get(OrgSetting, ROW_ID) or OrgSetting(id=ROW_ID)


def reads_everything(session: Session, user: User) -> bool:
    """Managers and admins read every executive's pain points and the themes built from them; executives
    only when an admin opened the feed to them (`executives_see_feed`)."""
    return user.role in (Role.manager, Role.admin) or org_settings(session=session).executives_see_feed


def reads_all_kpis(session: Session, user: User) -> bool:
    """Managers and admins read every department's KPI values; executives only when an admin allowed it
    (`executives_see_all_kpis`). Otherwise an executive reads their departments' values and those of no
    department (a site's or the organisation's)."""
    return user.role in (Role.manager, Role.admin) or org_settings(session=session).executives_see_all_kpis


def read_settings(*, session: Session) -> OrgSettingsPublic:
    return OrgSettingsPublic.model_validate(org_settings(session=session), from_attributes=True)


def update_settings(*, session: Session, admin: User, data: OrgSettingsUpdate) -> OrgSettingsPublic:
    changes = data.model_dump(exclude_unset=True)
    if any(value is None for value in changes.values()):
        raise Invalid(
            [
                field_error(name, "must not be null")
                for name, value in changes.items()
                if value is None
            ]
        )
    row = session.get(OrgSetting, ROW_ID, with_for_update=True)
    if row is None:
        row = OrgSetting(id=ROW_ID)
    row.sqlmodel_update(changes)
    row.updated_at, row.updated_by_id = utcnow(), admin.id
    session.add(row)
    session.commit()
    return OrgSettingsPublic.model_validate(row, from_attributes=True)
