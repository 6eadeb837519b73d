"""Bot API requests that tell a proxy's 502 apart from Telegram's other server errors.

PTB turns every 5xx into a plain NetworkError. A 502 Bad Gateway comes from a proxy in front of
Telegram that could not reach it: the call was not carried out, so it is safe to repeat. Any
other 5xx may come after Telegram carried the call out (bot/outcomes.py treats it as uncertain).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from telegram.error import NetworkError
from telegram.request import HTTPXRequest


class BadGateway(NetworkError):
    """A 502: the request did not reach Telegram."""


class SathiRequest(HTTPXRequest):
    """HTTPXRequest that raises BadGateway for a 502."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """As HTTPXRequest, with a 502 raised as BadGateway."""
        code, payload = await super().do_request(*args, **kwargs)
        if code == HTTPStatus.BAD_GATEWAY:
            raise BadGateway("Bad Gateway (502): the request did not reach Telegram")
        return code, payload
