"""One web process's worth of wrong-password logins, printed as status codes.

    python -m tests.support.login_attempts USERNAME COUNT

The app comes from the environment (DATABASE_URL, REDIS_URL, POSKO_INSTANCE_DIR) like a gunicorn
worker's; CSRF is off because the attempts come from the test client.
"""

import sys

from logistics import create_app

if __name__ == "__main__":
    username, count = sys.argv[1], int(sys.argv[2])
    app = create_app({"WTF_CSRF_ENABLED": False})
    client = app.test_client()
    codes = [
        client.post("/masuk", data={"username": username, "password": "salah"}).status_code
        for _ in range(count)
    ]
    print(" ".join(str(code) for code in codes))
