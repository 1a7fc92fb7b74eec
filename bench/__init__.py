"""`make bench`: a benchmark of Tavern on PostgreSQL, Gunicorn and Nginx driven by wrk."""
