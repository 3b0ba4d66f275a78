"""Shelters opened through the service, and head counts."""

from tests.support.areas import BEKASIJAYA, label_point


def shelter_factory(db):
    """make(**overrides) -> Shelter, open, in Bekasijaya at its label point, committed."""
    from logistics.shelters.services import open_shelter

    lat, lng = label_point(BEKASIJAYA)

    def make(**overrides):
        values = {
            "name": "GOR Bekasijaya",
            "kind": "gor",
            "capacity": 100,
            "lat": lat,
            "lng": lng,
            "toilets": 10,
        }
        values.update(overrides)
        shelter = open_shelter(**values).shelter
        db.session.commit()
        return shelter

    return make


def head_count(shelter, persons, **kwargs):
    from logistics.shelters.counts import record_head_count

    return record_head_count(shelter, persons=persons, **kwargs)
