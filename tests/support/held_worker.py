"""`flask` with boundary-loading jobs held in the middle of their work until the process is killed.

    python -m tests.support.held_worker --app wsgi worker

The job's record is committed as started, then its work waits instead of reading the file, so a
test can kill the worker knowing the job is still running, however fast or slow the machine is.
"""

import threading

import workers.jobs

# Only a bound so that a worker the test failed to kill does not live on forever.
HOLD_SECONDS = 900


def held_load(*args, **kwargs):
    threading.Event().wait(HOLD_SECONDS)
    raise RuntimeError("a held job was never killed")


workers.jobs.load_boundary_file = held_load

if __name__ == "__main__":
    from flask.cli import main

    main()
