"""Use cases: load with permission, apply the rules, change, commit once."""
