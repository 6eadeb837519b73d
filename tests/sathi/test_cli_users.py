import argparse
import asyncio
import io
from datetime import timedelta

import pytest

from sathi.cli import users
from sathi.db import make_engine, make_sessionmaker
from sathi.enums import Role
from sathi.services import staff


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    users.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["users", *argv])


@pytest.fixture
def sqlite_settings(make_settings):
    return make_settings(database_url=None)


async def _login(settings, username, password):
    engine = make_engine(settings.database)
    try:
        async with make_sessionmaker(engine).begin() as session:
            return (await staff.login(
                session, username=username, password=password, ttl=timedelta(minutes=1)
            )).staff
    finally:
        await engine.dispose()


def test_users_create_reads_the_password_from_stdin(sqlite_settings, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long admin password\n"))
    args = _args("create", "root", "--role", "admin", "--password-stdin")
    assert users.run(args, sqlite_settings) == 0
    assert "created admin root" in capsys.readouterr().out
    account = asyncio.run(_login(sqlite_settings, "root", "a long admin password"))
    assert account.role == Role.admin

    assert users.run(_args("list"), sqlite_settings) == 0
    assert capsys.readouterr().out.split() == ["root", "admin", "-", "active"]


def test_users_create_prompts_twice_and_refuses_a_mismatch(sqlite_settings, monkeypatch, capsys):
    answers = iter(["first long password", "second long password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert users.run(_args("create", "root", "--role", "admin"), sqlite_settings) == 1
    assert "do not match" in capsys.readouterr().err


def test_users_create_explains_a_bad_password(sqlite_settings, monkeypatch, capsys):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "short")
    args = _args("create", "ana", "--role", "volunteer", "--language", "ne")
    assert users.run(args, sqlite_settings) == 1
    assert "password: must be 10 to 256 characters" in capsys.readouterr().err
