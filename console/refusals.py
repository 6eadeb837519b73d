"""A service's refusal as a sentence in the reader's language, with the HTTP status to send.

The services speak English (their words are also the API's); the console shows one translated
sentence per kind of refusal, and keeps the service's own detail only where it tells the reader
what to change (a value that was not accepted, a state that does not allow the step).
"""

from sathi.errors import Invalid, NotAllowed, NotFound, SathiError
from sathi.i18n import Translator


class Locked(SathiError):
    """Refused because a lockdown is on (cases are hidden until an admin lifts it)."""


def kind(exc: Exception) -> str:
    """'locked', 'forbidden', 'not_found', 'conflict' or 'invalid'."""
    if isinstance(exc, Locked):
        return "locked"
    if isinstance(exc, NotAllowed):
        return "forbidden"
    if isinstance(exc, NotFound):
        return "not_found"
    if isinstance(exc, Invalid):
        return "invalid"
    return "conflict"  # Conflict, InvalidTransition (someone else holds it, a closed case...)


STATUS = {"locked": 423, "forbidden": 403, "not_found": 404, "conflict": 409, "invalid": 422}


def status(exc: Exception) -> int:
    """The HTTP status of the page that shows the refusal."""
    return STATUS[kind(exc)]


def message(translator: Translator, exc: Exception, *, held_by_other: bool = False) -> str:
    """The translated sentence for the refusal, with the service's detail where it helps.

    `held_by_other`: the case the step was refused on is another volunteer's, which is why.
    """
    _ = translator.gettext
    found = kind(exc)
    if held_by_other and found in ("conflict", "forbidden"):
        return _("Not done: another volunteer holds this case. Ask them or an admin to hand it "
                 "over to you.")
    if found == "locked":
        return _("Not done: a lockdown is on. Cases are hidden until an admin lifts it.")
    if found == "forbidden":
        return _("Not done: your account may not do this.")
    if found == "not_found":
        return _("Not done: this no longer exists, or you cannot see it.")
    detail = str(exc)
    if found == "invalid":
        return _("Not done: a value was not accepted. Correct it and try again. "
                 "Detail: {detail}", detail=detail)
    return _("Not done: someone changed this first, or its state does not allow this step. "
             "Reload the page. Detail: {detail}", detail=detail)


