"""Sign-in and registration budgets, shared by the pages and the API: one per address and per account."""

LOGIN_LIMIT = "5/minute"
REGISTER_LIMIT = "3/minute"
FORGOT_LIMIT_PER_IP = "5/minute"
FORGOT_LIMIT_PER_ACCOUNT = "3/minute"
