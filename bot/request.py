"""Bot API requests over aiohttp, with failures told apart by whether the call left this machine.

Why not PTB's HTTPXRequest: one call cost 0.75 ms of CPU with httpx against 0.29 with aiohttp
(a local server included), and Sathi's work per update fell by 17-27% with it
(benchmarks/bot_work.py, interleaved runs).

What a failure means decides what bot/outcomes.py does with an outbox item:
- NotSent: no connection could be made, or none came free in time. The call never left: safe
  to repeat.
- TimedOut: no answer in time after the call was sent; ConnectionBroke: the connection broke
  after it was sent. Telegram may have carried it out.
- BadGateway: a 502 from a proxy in front of Telegram that could not reach it: not carried out.
  PTB turns every other 5xx into a plain NetworkError, which may come after Telegram carried the
  call out.
"""

from __future__ import annotations

import ssl
import urllib.request
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's HTTPXRequest defaults, in seconds.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0


class BadGateway(NetworkError):
    """A 502: the request did not reach Telegram."""


class NotSent(NetworkError):
    """The request never left: no connection was made, or none was free in time."""


class ConnectionBroke(NetworkError):
    """The connection broke after the request was sent: Telegram may have carried it out."""


_NOT_GIVEN = type(BaseRequest.DEFAULT_NONE)  # PTB's marker class for "no timeout named"


def _given(value: Any, default: float | None) -> float | None:
    return default if isinstance(value, _NOT_GIVEN) else value


class SathiRequest(BaseRequest):
    """Requests to the Bot API on one aiohttp session, at most `connection_pool_size` at once.

    As PTB's httpx client: certifi's certificate authorities, and a proxy from HTTPS_PROXY /
    HTTP_PROXY (NO_PROXY honoured) when the environment names one. The environment is read
    once per host, not by aiohttp on every call (its trust_env cost 0.65 ms a call here).

    Timeouts as PTB's: `connect` for making a connection, `pool` for waiting for a free one
    (aiohttp counts the two as one wait: a free connection, new or pooled, within connect +
    pool), `read` for the answer. aiohttp has no timeout of its own for writing the request
    body; a body that cannot be written in time shows as a read timeout (TimedOut).
    """

    def __init__(self, connection_pool_size: int = 1, read_timeout: float | None = READ_TIMEOUT,
                 connect_timeout: float = CONNECT_TIMEOUT,
                 pool_timeout: float = POOL_TIMEOUT) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}  # (scheme, host) -> proxy

    @property
    def read_timeout(self) -> float | None:
        """The read timeout of a call that names none (PTB adds it to getUpdates' wait)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Opens the session (on the running loop, as aiohttp requires)."""
        if self._session is None or self._session.closed:
            authorities = ssl.create_default_context(cafile=certifi.where())
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0,
                                             ssl=authorities)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT},
                skip_auto_headers=("Accept-Encoding",),
            )

    async def shutdown(self) -> None:
        """Closes the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,  # noqa: ARG002 - see the class
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One call: (HTTP status, body), or NotSent, TimedOut, ConnectionBroke, BadGateway."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This SathiRequest is not initialized!")
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=_given(read_timeout, self._read_timeout),
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout,
                proxy=self._proxy_for(url),
            ) as response:
                code, payload = response.status, await response.read()
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as err:
            raise NotSent(f"aiohttp.{type(err).__name__}: {err}") from err
        except (TimeoutError, aiohttp.ServerTimeoutError) as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise ConnectionBroke(f"aiohttp.{type(err).__name__}: {err}") from err
        if code == HTTPStatus.BAD_GATEWAY:
            raise BadGateway("Bad Gateway (502): the request did not reach Telegram")
        return code, payload

    def _proxy_for(self, url: str) -> str | None:
        """The proxy the environment names for the URL's scheme and host, if any."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            named = urllib.request.getproxies().get(parts.scheme)
            bypass = named is None or urllib.request.proxy_bypass(key[1])
            self._proxies[key] = None if bypass else named
        return self._proxies[key]


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """The call's parameters: a form, multipart when it carries files."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
