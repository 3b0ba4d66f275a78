"""The scope's SQL condition: a code is inside an area when equal to it or below it by a dot,
on SQLite as a range an index serves, on PostgreSQL as LIKE 'code.%' (text_pattern_ops)."""

from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select
from sqlalchemy.dialects import postgresql

from logistics.core.scope import Scope

CODES = ["17", "17.1", "17.1.05", "17.10", "17.10.01", "17.1-x", "17.2", "18.1", "17.01", "3"]
areas = Table("areas_t", MetaData(), Column("code", String(20), primary_key=True))


def _inside(*see: str) -> list[str]:
    engine = create_engine("sqlite://")
    areas.create(engine)
    with engine.begin() as connection:
        connection.execute(insert(areas), [{"code": code} for code in CODES])
        query = Scope(see=see).narrow(select(areas.c.code), areas.c.code)
        return sorted(connection.execute(query).scalars())


def test_a_code_is_inside_when_equal_or_below_by_a_dot():
    assert _inside("17.1") == ["17.1", "17.1.05"]
    assert _inside("17.10") == ["17.10", "17.10.01"]
    assert _inside("17") == sorted(c for c in CODES if c == "17" or c.startswith("17."))
    assert _inside("17.1", "18") == ["17.1", "17.1.05", "18.1"]
    assert _inside() == sorted(CODES)
    assert _inside("1") == []


def test_the_same_condition_as_python_decides_it():
    for see in (("17.1",), ("17",), ("17.10", "17.2")):
        assert _inside(*see) == sorted(c for c in CODES if Scope(see=see).sees(c))


def test_postgresql_reads_it_as_a_prefix_like():
    query = Scope(see=("17.1",)).narrow(select(areas.c.code), areas.c.code)
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "areas_t.code = '17.1' OR areas_t.code LIKE '17.1.%" in sql
