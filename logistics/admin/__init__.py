"""Users, roles, sign-in, reference data and the jobs page: running the office's own Posko."""
