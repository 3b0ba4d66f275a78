"""ORM models, one module per aggregate; importing this package registers every table."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL, shown in office time."""
    return datetime.now(UTC).replace(tzinfo=None)


from logistics.models.areas import Area, BoundarySet  # noqa: E402
from logistics.models.audit import AuditEntry  # noqa: E402
from logistics.models.budget import (  # noqa: E402
    BudgetLine,
    BudgetNode,
    BudgetRealisation,
    BudgetTotalFlag,
)
from logistics.models.distributions import (  # noqa: E402
    Distribution,
    DistributionRecipient,
    FieldKitchen,
    KitchenMeal,
)
from logistics.models.events import (  # noqa: E402
    ChronologyEntry,
    Event,
    EventArea,
    EventDecree,
    HazardType,
    ImpactFigure,
)
from logistics.models.jobs import JobRecord  # noqa: E402
from logistics.models.ledger import (  # noqa: E402
    DocumentCounter,
    StockCountLine,
    StockDocument,
    StockLot,
    StockMovement,
)
from logistics.models.people import Household, InstitutionVictim, Person, Victim  # noqa: E402
from logistics.models.reports import ReportFile, SitrepNote  # noqa: E402
from logistics.models.shelters import Shelter, ShelterCount  # noqa: E402
from logistics.models.spm import (  # noqa: E402
    SpmDaily,
    SpmMetRule,
    SpmStale,
    SpmStandard,
    SpmTarget,
    SpmYear,
)
from logistics.models.stock import Item, KitComponent, Warehouse  # noqa: E402
from logistics.models.tagana import (  # noqa: E402
    Competency,
    Deployment,
    KampungSiagaBencana,
    TaganaMember,
    TaskReport,
    Training,
    Vehicle,
)
from logistics.models.users import ROLES, User  # noqa: E402

__all__ = [
    "Area",
    "AuditEntry",
    "BoundarySet",
    "BudgetLine",
    "BudgetNode",
    "BudgetRealisation",
    "BudgetTotalFlag",
    "ChronologyEntry",
    "Competency",
    "Deployment",
    "Distribution",
    "DistributionRecipient",
    "DocumentCounter",
    "Event",
    "EventArea",
    "EventDecree",
    "FieldKitchen",
    "HazardType",
    "Household",
    "ImpactFigure",
    "InstitutionVictim",
    "Item",
    "JobRecord",
    "KampungSiagaBencana",
    "KitchenMeal",
    "KitComponent",
    "Person",
    "ReportFile",
    "ROLES",
    "Shelter",
    "ShelterCount",
    "SitrepNote",
    "SpmDaily",
    "SpmMetRule",
    "SpmStale",
    "SpmStandard",
    "SpmTarget",
    "SpmYear",
    "StockCountLine",
    "StockDocument",
    "StockLot",
    "StockMovement",
    "TaganaMember",
    "TaskReport",
    "Training",
    "User",
    "utcnow",
    "Vehicle",
    "Victim",
    "Warehouse",
]
