"""Fixtures for the geo package tests: the boundary files in data/boundaries, read once per session."""

from functools import cache

import pytest

from geo import dissolve_parents, read_boundaries
from tests.conftest import BOUNDARIES


@cache
def load(name: str, level: str = "kelurahan"):
    """A boundary file read with read_boundaries, cached for the session (Jawa Barat takes ~1.5 s)."""
    return read_boundaries(BOUNDARIES / name, level=level)


@cache
def parents(name: str):
    """dissolve_parents of a kelurahan file of data/boundaries, cached for the session."""
    return dissolve_parents(load(name))


@pytest.fixture(scope="session")
def jawa_barat(boundaries_dir):
    """Jawa Barat's 5,957 desa/kelurahan."""
    return load("prov_jawa_barat.geojson.gz")


@pytest.fixture(scope="session")
def jawa_barat_parents(jawa_barat):
    """Jawa Barat's dissolved kecamatan and kab/kota."""
    return parents("prov_jawa_barat.geojson.gz")


@pytest.fixture(scope="session")
def boundary(boundaries_dir):
    """load(name, level="kelurahan"): a boundary file as read by read_boundaries, cached."""
    return load


@pytest.fixture(scope="session")
def parents_of(boundaries_dir):
    """parents(name): dissolve_parents of a kelurahan file of data/boundaries, cached."""
    return parents
