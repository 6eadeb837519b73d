"""A strict MarkdownV2 checker: the fake server refuses what Telegram would refuse.

Outside code, every one of _*[]()~`>#+-=|{}.!\\ must be escaped unless it is markup; markup must
nest properly and be closed; inside `code` and ```pre``` only ` and \\ are escaped; inside a
link's (url) only ) and \\.
"""

from __future__ import annotations

RESERVED = set("_*[]()~`>#+-=|{}.!\\")


class MarkdownV2Error(ValueError):
    """What Telegram would answer: can't parse entities."""


def plain_text(source: str) -> str:
    """The text a user would see, after checking that the markup is valid."""
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(source)
    at_line_start = True
    while i < n:
        char = source[i]
        top = stack[-1] if stack else None
        if char == "\\":
            if i + 1 >= n:
                raise MarkdownV2Error("a lone backslash at the end")
            out.append(source[i + 1])
            i += 2
            at_line_start = False
            continue
        if top == "pre":
            if source.startswith("```", i):
                stack.pop()
                i += 3
            elif char == "`":
                raise MarkdownV2Error(f"unescaped ` inside pre at {i}")
            else:
                out.append(char)
                i += 1
            continue
        if top == "code":
            if char == "`":
                stack.pop()
            else:
                out.append(char)
            i += 1
            continue
        if top == "url":
            if char == ")":
                stack.pop()
            i += 1
            continue
        if at_line_start and char == ">":
            i += 1
            at_line_start = False
            continue
        if at_line_start and source.startswith("**>", i):
            i += 3
            at_line_start = False
            continue
        if source.startswith("```", i):
            stack.append("pre")
            i += 3
            continue
        marker = _marker_at(source, i)
        if marker is not None:
            _toggle(stack, marker, i)
            i += len(marker)
            at_line_start = False
            continue
        if char == "[":
            stack.append("link")
            i += 1
            continue
        if char == "]":
            if top != "link" or not source.startswith("(", i + 1):
                raise MarkdownV2Error(f"unbalanced ] at {i}")
            stack.pop()
            stack.append("url")
            i += 2
            continue
        if char in RESERVED:
            raise MarkdownV2Error(f"character {char!r} is reserved and must be escaped at {i}")
        out.append(char)
        at_line_start = char == "\n"
        i += 1
    if stack:
        raise MarkdownV2Error(f"unclosed {stack[-1]}")
    return "".join(out)


def _marker_at(source: str, i: int) -> str | None:
    for marker in ("||", "__", "*", "_", "~", "`"):
        if source.startswith(marker, i):
            return marker
    return None


_NAMES = {"||": "spoiler", "__": "underline", "*": "bold", "_": "italic", "~": "strike"}


def _toggle(stack: list[str], marker: str, i: int) -> None:
    if marker == "`":
        stack.append("code")
        return
    name = _NAMES[marker]
    if stack and stack[-1] == name:
        stack.pop()
    elif name in stack:
        raise MarkdownV2Error(f"{name} closed across another entity at {i}")
    else:
        stack.append(name)
