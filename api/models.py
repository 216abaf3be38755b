"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from api.auth.models import (
    AuthToken,
    Invitation,
    LoginFailure,
    LoginThrottle,
    PasswordReset,
    User,
    UserDepartment,
)
from api.bright_spots.models import BrightSpot
from api.core.naming import metadata
from api.events.models import Event
from api.goals.models import Goal, GoalDepartment
from api.kpis.models import Kpi, KpiValue
from api.media.models import Media
from api.messages.models import (
    Delivery,
    DeliveryAttempt,
    DigestRun,
    Notification,
    NotificationSetting,
    Webhook,
)
from api.org.models import Department, Site
from api.pain_points.models import PainPoint, PainPointComment, PainPointEvent
from api.pulse.models import PulseAnswer, PulseQuestion
from api.settings.models import OrgSetting
from api.summaries.models import Summary
from api.themes.models import PainPointEmbedding, Theme, ThemeBuild, ThemeMerge
from api.values.models import CompanyValue
from api.visits.models import Visit

__all__ = ["AuthToken", "BrightSpot", "CompanyValue", "Delivery", "DeliveryAttempt", "Department", "DigestRun", "Event",
           "Goal", "GoalDepartment", "Invitation", "Kpi", "KpiValue", "LoginFailure", "LoginThrottle", "Media",
           "Notification", "NotificationSetting", "OrgSetting", "PainPoint", "PainPointComment", "PainPointEmbedding",
           "PainPointEvent", "PasswordReset", "PulseAnswer", "PulseQuestion", "Site", "Summary", "Theme", "ThemeBuild",
           "ThemeMerge", "User", "UserDepartment", "Visit", "Webhook", "metadata"]
