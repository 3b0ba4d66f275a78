"""Users, roles, sign-in and the jobs page: running the office's own Posko."""
