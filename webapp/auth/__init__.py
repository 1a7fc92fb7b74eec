"""Sign-in pages for people: the routes (routes.py, with their blueprint) and their forms (forms.py)."""
