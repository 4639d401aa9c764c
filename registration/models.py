"""Registration types, registrations, badges and check-in (see issue: registration)."""
