"""`python -m workers`: start one rq worker with the environment's configuration."""

from logistics import create_app
from workers.run import start_worker

with create_app().app_context():
    start_worker()
