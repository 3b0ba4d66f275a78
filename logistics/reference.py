"""Reference data every office starts with, each list seeded by the domain that owns it."""

from logistics.events.reference import seed_hazard_types
from logistics.spm.reference import seed_spm_reference
from logistics.stock.reference import seed_items
from logistics.tagana.reference import seed_competencies


def seed_reference_data() -> dict:
    """Insert the reference lists the office has none of yet; an office's own edits are kept.

    Called by the CLI (`serve`, `demo seed`) and the test fixture; it lives above the domains
    because it reaches into several of them, which no single domain may do without a cycle.
    """
    added = seed_hazard_types()
    competencies = seed_competencies()
    items = seed_items()
    seed_spm_reference()
    return {"hazard_types": added, "competencies": competencies, "items": items}
