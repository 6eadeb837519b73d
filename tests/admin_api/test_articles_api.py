"""The guide through the admin API: drafts, review by a native speaker, publishing, history."""

import pytest

from sathi.enums import Role

SLUG = "unpaid-wages"
BASE = f"/api/v1/articles/{SLUG}"


@pytest.fixture
async def staff(imported, accounts):
    """An editor, a Nepali reviewer, an English reviewer and a volunteer, logged in."""
    found = {}
    for name, role, languages in (
        ("editor", Role.editor, ()), ("reviewer-ne", Role.reviewer, ("ne",)),
        ("reviewer-en", Role.reviewer, ("en",)), ("volunteer", Role.volunteer, ("ne",)),
        ("admin", Role.admin, ()),
    ):
        account = await accounts.create(name, role, languages)
        found[name] = await accounts.login(account.username)
    return found


def draft(revision: dict, **changes) -> dict:
    fields = ("title", "keywords", "sources", "body")
    return {**{name: revision[name] for name in fields}, **changes}


async def published(client, headers, lang):
    article = (await client.get(BASE, headers=headers)).json()
    [state] = [item for item in article["languages"] if item["lang"] == lang]
    return state


async def new_revision(client, headers, lang, **changes):
    current = (await published(client, headers, lang))["published"]
    response = await client.post(f"{BASE}/{lang}/revisions", headers=headers,
                                 json=draft(current, **changes))
    assert response.status_code == 201, response.text
    return response.json()


async def review_and_publish(client, staff, lang, number, reviewer):
    path = f"{BASE}/{lang}/revisions/{number}"
    assert (await client.post(f"{path}/submit", headers=staff["editor"])).status_code == 200
    approved = await client.post(f"{path}/approve", headers=staff[reviewer], json={})
    assert approved.status_code == 200, approved.text
    response = await client.post(f"{path}/publish", headers=staff["editor"])
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_nepali_reviewer_approves_and_the_editor_cannot_approve_their_own(
    client, staff, imported
):
    body = (await published(client, staff["editor"], "ne"))["published"]["body"]
    revision = await new_revision(client, staff["editor"], "ne", title="तलब नआएमा के गर्ने",
                                  body=body + "\n\n- नयाँ अनुच्छेद।")
    assert revision["state"] == "draft" and revision["source_revision_id"] is not None
    path = f"{BASE}/ne/revisions/{revision['number']}"
    assert (await client.post(f"{path}/submit", headers=staff["editor"])).json()["state"] == (
        "in_review"
    )
    own = await client.post(f"{path}/approve", headers=staff["editor"], json={})
    assert own.status_code == 403 and own.json()["error"]["code"] == "forbidden"
    other_language = await client.post(f"{path}/approve", headers=staff["reviewer-en"], json={})
    assert other_language.status_code == 403
    early = await client.post(f"{path}/publish", headers=staff["editor"])
    assert early.status_code == 409 and "approved" in early.json()["error"]["message"]

    approved = await client.post(f"{path}/approve", headers=staff["reviewer-ne"],
                                 json={"comment": "राम्रो छ"})
    assert approved.status_code == 200 and approved.json()["review"] == "reviewed"
    assert approved.json()["review_by"] is not None
    assert (await client.post(f"{path}/publish", headers=staff["editor"])).status_code == 200

    assert await imported.knowledge.refresh() is True
    served = imported.knowledge.current.get(SLUG, "ne")
    assert served.title == "तलब नआएमा के गर्ने" and served.review == "reviewed"
    assert "1577-0071" in served.body  # facts still filled in

    history = (await client.get(f"{BASE}/history", headers=staff["volunteer"])).json()
    steps = [(e["kind"], e["actor_name"], e["revision_number"]) for e in history
             if e["lang"] == "ne" and e["revision_number"] == revision["number"]]
    assert steps == [
        ("created", "editor", revision["number"]), ("submitted", "editor", revision["number"]),
        ("approved", "reviewer-ne", revision["number"]),
        ("published", "editor", revision["number"]),
    ]
    assert all(e["created_at"] for e in history)
    assert [e["comment"] for e in history if e["kind"] == "approved"] == ["राम्रो छ"]


async def test_send_back_with_a_comment_then_resubmit(client, staff):
    revision = await new_revision(client, staff["editor"], "ne", title="नयाँ शीर्षक")
    path = f"{BASE}/ne/revisions/{revision['number']}"
    await client.post(f"{path}/submit", headers=staff["editor"])
    empty = await client.post(f"{path}/send-back", headers=staff["reviewer-ne"], json={})
    assert empty.status_code == 422
    back = await client.post(f"{path}/send-back", headers=staff["reviewer-ne"],
                             json={"comment": "शब्द मिलेन"})
    assert back.json()["state"] == "sent_back" and back.json()["comment"] == "शब्द मिलेन"
    assert (await client.post(f"{path}/submit", headers=staff["editor"])).json()["state"] == (
        "in_review"
    )


async def test_substantive_english_change_marks_the_translations_stale_minor_does_not(
    client, staff, imported
):
    english = (await published(client, staff["editor"], "en"))["published"]
    minor = await new_revision(client, staff["editor"], "en", change="minor",
                               body=english["body"].replace("start keeping", "begin keeping"))
    await review_and_publish(client, staff, "en", minor["number"], "reviewer-en")
    stale = (await client.get("/api/v1/articles", headers=staff["editor"],
                              params={"stale": True})).json()
    assert stale == []

    substantive = await new_revision(client, staff["editor"], "en", change="substantive",
                                     body=english["body"] + "\n\n- Keep every bank statement.")
    await review_and_publish(client, staff, "en", substantive["number"], "reviewer-en")
    stale = (await client.get("/api/v1/articles", headers=staff["editor"],
                              params={"stale": True})).json()
    assert sorted((s["slug"], s["lang"]) for s in stale) == [
        (SLUG, lang) for lang in ("bn", "ko", "ne", "tl")
    ]
    history = (await client.get(f"{BASE}/history", headers=staff["editor"])).json()
    assert {e["lang"] for e in history if e["kind"] == "marked_stale"} == {"bn", "ko", "ne", "tl"}

    # A Nepali translation made from the new English clears the flag once published.
    fresh = await new_revision(client, staff["editor"], "ne")
    await review_and_publish(client, staff, "ne", fresh["number"], "reviewer-ne")
    still = (await client.get("/api/v1/articles", headers=staff["editor"],
                              params={"stale": True})).json()
    assert sorted(s["lang"] for s in still) == ["bn", "ko", "tl"]


async def test_restore_an_old_revision_and_diff_any_two(client, staff):
    first = (await published(client, staff["editor"], "en"))["published"]
    changed = await new_revision(client, staff["editor"], "en", title="Wages not paid at all")
    diff = (await client.get(f"{BASE}/en/diff", headers=staff["editor"],
                             params={"old": first["number"], "new": changed["number"]})).json()
    assert "-title: Wages not paid or paid late" in diff["diff"]
    assert "+title: Wages not paid at all" in diff["diff"]

    restored = await client.post(f"{BASE}/en/revisions/{first['number']}/restore",
                                 headers=staff["editor"])
    assert restored.status_code == 201
    again = restored.json()
    assert again["state"] == "draft" and again["number"] == changed["number"] + 1
    assert again["title"] == first["title"] and again["body"] == first["body"]
    same = (await client.get(f"{BASE}/en/diff", headers=staff["editor"],
                             params={"old": first["number"], "new": again["number"]})).json()
    changed_lines = [line for line in same["diff"].splitlines()[2:]
                     if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert all(line[1:].startswith("last_reviewed:") for line in changed_lines)
    history = (await client.get(f"{BASE}/history", headers=staff["editor"])).json()
    assert history[-1]["kind"] == "restored" and history[-1]["actor_name"] == "editor"
    assert history[-1]["comment"] == f"restored from revision {first['number']}"


async def test_volunteers_cannot_write_articles_or_facts(client, staff):
    current = (await published(client, staff["editor"], "ne"))["published"]
    response = await client.post(f"{BASE}/ne/revisions", headers=staff["volunteer"],
                                 json=draft(current))
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    fact = await client.post("/api/v1/facts/hotline_interpreter/values",
                             headers=staff["volunteer"],
                             json={"value": "1577-0072", "valid_from": "2027-01-01",
                                   "source": "https://example.org/notice"})
    assert fact.status_code == 403
    assert (await client.get(BASE, headers=staff["volunteer"])).status_code == 200


@pytest.mark.parametrize("path", [
    "/api/v1/articles/%2e%2e/en/revisions", "/api/v1/articles/..%2f..%2fetc/en/revisions",
    "/api/v1/articles/a..b/en/revisions", "/api/v1/articles/unpaid-wages/..%2fen/revisions",
])
async def test_a_slug_or_path_with_dots_is_refused(client, staff, path):
    current = (await published(client, staff["editor"], "ne"))["published"]
    response = await client.post(path, headers=staff["editor"], json=draft(current))
    assert response.status_code in (404, 422), response.text
    assert "error" in response.json()
    if response.status_code == 422:
        assert response.json()["error"]["code"] == "validation_error"


async def test_a_slug_with_dots_is_refused_by_the_service_too():
    from sathi.errors import Invalid
    from sathi.services import editing

    with pytest.raises(Invalid, match="no '.', '/' or '..'"):
        editing.check_slug("../etc")


async def test_an_unknown_fact_in_a_draft_is_refused(client, staff):
    current = (await published(client, staff["editor"], "en"))["published"]
    response = await client.post(f"{BASE}/en/revisions", headers=staff["editor"], json=draft(
        current, body=current["body"] + "\n\nCall {{fact:no_such_hotline}}."
    ))
    assert response.status_code == 422
    assert "no_such_hotline" in response.json()["error"]["message"]


async def test_list_filters(client, staff):
    listed = (await client.get("/api/v1/articles", headers=staff["editor"],
                               params={"category": "at-work", "lang": "ne"})).json()
    assert listed and {(i["category"], i["lang"]) for i in listed} == {("at-work", "ne")}
    assert all(i["latest_state"] == "published" for i in listed)
    await new_revision(client, staff["editor"], "ne", title="नयाँ")
    drafts = (await client.get("/api/v1/articles", headers=staff["editor"],
                               params={"state": "draft"})).json()
    assert [(d["slug"], d["lang"]) for d in drafts] == [(SLUG, "ne")]
    assert drafts[0]["published_number"] == 1 and drafts[0]["latest_number"] == 2
