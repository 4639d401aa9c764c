"""Domain errors raised by services and turned into clear 4xx answers by the API."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the change. `errors` maps field -> messages."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message=None, *, field: str | None = None, code: str | None = None, errors: dict | None = None):
        self.code = code or self.default_code
        if errors is None:
            errors = {field or "non_field_errors": [str(message)]}
        self.errors = {key: [str(m) for m in (value if isinstance(value, (list, tuple)) else [value])] for key, value in errors.items()}
        super().__init__(str(message) if message is not None else "; ".join(m for ms in self.errors.values() for m in ms))


class ForumEnded(DomainError):
    """The forum's last day is over: registration and invitations are refused for this one reason."""

    default_code = "forum_ended"

    def __init__(self, *, field: str | None = None):
        from django.utils.translation import gettext

        super().__init__(gettext("This forum has ended."), field=field, code=self.default_code)


class PermissionDenied(DomainError):
    status_code = 403
    default_code = "permission_denied"


class StaleObject(DomainError):
    """Someone else changed the object since it was read (optimistic locking)."""

    status_code = 409
    default_code = "stale"


class NotFound(DomainError):
    status_code = 404
    default_code = "not_found"
