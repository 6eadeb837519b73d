"""The console on the test runtime through ASGI, with the API tests' accounts and cases."""

import re

import httpx
import pytest

from tests.admin_api.conftest import (  # noqa: F401  (fixtures)
    PASSWORD,
    Accounts,
    accounts,
    cheap_passwords,
    client,
    make_case,
)


def csrf_of(html: str) -> str:
    """The CSRF token in a page's first form."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def console_login(http: httpx.AsyncClient, username: str, password: str = PASSWORD
                        ) -> httpx.Response:
    page = await http.get("/console/login")
    return await http.post("/console/login", data={
        "csrf": csrf_of(page.text), "username": username, "password": password})


@pytest.fixture
def login():
    return console_login
