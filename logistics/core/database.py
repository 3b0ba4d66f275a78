"""The unit of work: every change of a request, job or command is committed in one place."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from logistics.core.extensions import db


@contextmanager
def transaction() -> Iterator[Session]:
    """Commit all of the block or none of it: an error rolls back everything written in it.

    Views, API routes, jobs and commands wrap the service calls of one request in this; services
    only add and flush, so one refused line rolls back the lines written before it.
    """
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def rehearsal() -> Iterator[Session]:
    """Run service calls only to learn what they refuse: everything of the block is rolled back.

    A form its own validators refused still asks the services about its other values, so one
    submit shows every error; nothing of that run may stay written.
    """
    try:
        yield db.session
    finally:
        db.session.rollback()


def ping() -> None:
    """Ask the database for nothing: raises when it cannot be reached (the health check)."""
    db.session.execute(select(1))
