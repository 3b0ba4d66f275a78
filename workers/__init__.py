"""RQ job entry points and the worker start-up."""
