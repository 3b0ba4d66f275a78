"""Web pages, one blueprint per domain: parse the request, call a service, commit, respond."""
