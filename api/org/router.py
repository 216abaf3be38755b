import uuid

from fastapi import APIRouter

from api.auth.deps import AdminUser, CurrentUser
from api.db import SessionDep
from api.errors import error_responses
from api.org import service
from api.org.models import Department, Site
from api.org.schemas import (
    DepartmentCreate,
    DepartmentPublic,
    DepartmentUpdate,
    SiteCreate,
    SitePublic,
    SiteUpdate,
)

router = APIRouter(tags=["sites and departments"])


@router.get("/sites", response_model=list[SitePublic], responses=error_responses(401), summary="List sites")
def list_sites(session: SessionDep, _: CurrentUser, include_inactive: bool = False) -> list[Site]:
    return service.list_entities(session=session, model=Site, include_inactive=include_inactive)


@router.post(
    "/sites", response_model=SitePublic, status_code=201, responses=error_responses(401, 403, 409, 422),
    summary="Create a site (admin)",
)
def create_site(session: SessionDep, _: AdminUser, body: SiteCreate) -> Site:
    return service.create_entity(session=session, model=Site, data=body)


@router.patch(
    "/sites/{site_id}", response_model=SitePublic, responses=error_responses(401, 403, 404, 409, 422),
    summary="Rename, re-classify or retire a site (admin)",
)
def update_site(session: SessionDep, _: AdminUser, site_id: uuid.UUID, body: SiteUpdate) -> Site:
    return service.update_entity(session=session, model=Site, entity_id=site_id, data=body)


@router.get(
    "/departments", response_model=list[DepartmentPublic], responses=error_responses(401),
    summary="List departments",
)
def list_departments(session: SessionDep, _: CurrentUser, include_inactive: bool = False) -> list[Department]:
    return service.list_entities(session=session, model=Department, include_inactive=include_inactive)


@router.post(
    "/departments", response_model=DepartmentPublic, status_code=201,
    responses=error_responses(401, 403, 409, 422), summary="Create a department (admin)",
)
def create_department(session: SessionDep, _: AdminUser, body: DepartmentCreate) -> Department:
    return service.create_entity(session=session, model=Department, data=body)


@router.patch(
    "/departments/{department_id}", response_model=DepartmentPublic,
    responses=error_responses(401, 403, 404, 409, 422), summary="Rename or retire a department (admin)",
)
def update_department(
    session: SessionDep, _: AdminUser, department_id: uuid.UUID, body: DepartmentUpdate
) -> Department:
    return service.update_entity(session=session, model=Department, entity_id=department_id, data=body)
