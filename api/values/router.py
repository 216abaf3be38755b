import uuid

from fastapi import APIRouter

from api.auth.deps import AdminUser, CurrentUser
from api.db import SessionDep
from api.errors import error_responses
from api.values import service
from api.values.models import CompanyValue
from api.values.schemas import CompanyValueCreate, CompanyValuePublic, CompanyValueUpdate

router = APIRouter(prefix="/values", tags=["company values"])


@router.get("", response_model=list[CompanyValuePublic], responses=error_responses(401),
            summary="The company's values (archived ones only with include_archived=true)")
def list_values(session: SessionDep, _: CurrentUser, include_archived: bool = False) -> list[CompanyValue]:
    return service.list_values(session=session, include_archived=include_archived)


@router.post("", response_model=CompanyValuePublic, status_code=201, responses=error_responses(401, 403, 409, 422),
             summary="Add a value (admin)")
def create_value(session: SessionDep, _: AdminUser, body: CompanyValueCreate) -> CompanyValue:
    return service.create_value(session=session, data=body)


@router.patch("/{value_id}", response_model=CompanyValuePublic, responses=error_responses(401, 403, 404, 409, 422),
              summary="Rename, re-word or archive a value (admin)")
def update_value(session: SessionDep, _: AdminUser, value_id: uuid.UUID, body: CompanyValueUpdate) -> CompanyValue:
    return service.update_value(session=session, value_id=value_id, data=body)
