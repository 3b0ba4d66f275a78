"""The SPM needs table of a provinsi office: kelurahan rows per kab/kota, subtotals per component."""

from logistics.areas.kab_kota import by_kab_kota, grouped
from logistics.core.spm_components import SPM_COMPONENTS

SUMS = ("persons_needing", "households_needing", "delivered", "shortfall")


def per_component(rows: list[dict]) -> list[dict]:
    """Sums per SPM component: needing, delivered and the shortfall (the sum of positive gaps:
    over-supply in one kelurahan does not cover a shortage in another)."""
    totals: dict[str, dict] = {}
    for row in rows:
        total = totals.setdefault(
            row["component"],
            {
                "component": row["component"],
                "component_label": row["component_label"],
                **dict.fromkeys(SUMS, 0),
            },
        )
        total["persons_needing"] += row["persons_needing"]
        total["households_needing"] += row["households_needing"]
        total["delivered"] += row["delivered"]
        total["shortfall"] += max(row["gap"], 0)
    return [totals[c] for c in SPM_COMPONENTS if c in totals]


def needs_groups(rows: list[dict]) -> dict | None:
    """{"groups": [{code, name, rows, subtotals}], "totals": [...]} for a provinsi office; None
    for a kab/kota office, whose table lists its kelurahan as they are."""
    if not by_kab_kota():
        return None
    groups = grouped(rows, "kelurahan_code", ())
    for group in groups:
        group["subtotals"] = per_component(group["rows"])
    return {"groups": groups, "totals": per_component(rows)}
