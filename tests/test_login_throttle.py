"""The login limit holds while Redis is down: counted once for every web process, not per process."""

import subprocess
import sys

from logistics.admin.models import LoginThrottle
from tests.support.processes import ROOT, free_port, worker_env


def attempts(app, username: str, count: int, redis_url: str) -> list[int]:
    """`count` wrong logins from a web process of its own (its own memory, the shared database)."""
    env = worker_env(app)
    env.update(REDIS_URL=redis_url, POSKO_LOGIN_RATE_LIMIT="10 per 15 minutes")
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.login_attempts", username, str(count)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return [int(code) for code in done.stdout.split()]


def test_limit_holds_across_two_web_processes_while_redis_is_down(app, db, make_user):
    user = make_user("operator")
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    first = attempts(app, user.username, 6, dead_redis)
    second = attempts(app, user.username, 6, dead_redis)
    # Ten wrong passwords are answered as such; the 11th and 12th, in the other process, refused.
    assert first == [401] * 6
    assert second == [401] * 4 + [429] * 2
    assert db.session.query(LoginThrottle).one().hits == 12


def test_redis_counts_when_it_is_up_and_the_database_stays_out_of_it(app, db, make_user):
    user = make_user("operator")
    first = attempts(app, user.username, 6, app.config["REDIS_URL"])
    second = attempts(app, user.username, 6, app.config["REDIS_URL"])
    assert first == [401] * 6
    assert second == [401] * 4 + [429] * 2  # Flask-Limiter's own count, in Redis
    assert db.session.query(LoginThrottle).count() == 0


def test_refused_login_explains_itself_in_indonesian(app, db, client, make_user, monkeypatch):
    """Ten attempts counted by other processes: this process's first is refused, with a reason."""
    import time

    from limits import parse

    from logistics.admin import login_throttle

    user = make_user("operator")
    seconds = parse(app.config["LOGIN_RATE_LIMIT"]).get_expiry()
    window = int(time.time() // seconds)
    db.session.add(LoginThrottle(key="login:127.0.0.1", window=window, hits=10))
    db.session.commit()
    monkeypatch.setattr(login_throttle, "_limiter_storage_up", lambda: False)  # Redis down
    page = client.post("/masuk", data={"username": user.username, "password": "rahasia-123"})
    assert page.status_code == 429
    assert "Terlalu banyak percobaan masuk" in page.get_data(as_text=True)
