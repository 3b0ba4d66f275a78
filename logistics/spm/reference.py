"""SPM standards and the default meaning of "terpenuhi" every office starts with."""

from sqlalchemy import func, select

from logistics.core.config import ROOT
from logistics.core.extensions import db
from logistics.spm.models import SpmMetRule, SpmStandard
from logistics.spm.settings import seed_met_rules, seed_standards

SPM_STANDARDS_FILE = ROOT / "data" / "spm_standards.csv"


def seed_spm_reference() -> None:
    """Insert the standards and the met rules, each only when the office has none yet."""
    if not db.session.scalar(select(func.count(SpmStandard.id))):
        seed_standards(SPM_STANDARDS_FILE)
    if not db.session.scalar(select(func.count(SpmMetRule.id))):
        seed_met_rules()
