"""Domain errors: the bot turns them into a translated message, the API into a status code."""


class SathiError(Exception):
    """Base of every error Sathi raises on purpose."""


class ConfigError(SathiError):
    """A setting is missing or wrong; the message names the variable."""


class NotFound(SathiError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class NotAllowed(SathiError):
    """The caller may not do this."""


class InvalidTransition(SathiError):
    """The object is not in a state that allows this change."""


class Conflict(SathiError):
    """The request clashes with the current state of other data (a taken name, a last admin)."""


class Invalid(SathiError):
    """A value is well-formed but unusable here; `field` names the input it came from.

    `location` is where that input was: "body" (most) or "query" (a list's cursor).
    """

    def __init__(self, message: str, *, field: str | None = None, location: str = "body") -> None:
        super().__init__(message)
        self.field = field
        self.location = location


class NotAuthenticated(SathiError):
    """No valid credentials: a wrong password, or a token that is unknown, expired or revoked."""
