"""Volunteers find a case by its reference; only its assignee (or an admin) answers it."""

from sathi.enums import Role


async def test_case_by_reference_as_lookup_and_filter(client, actors, make_case):
    volunteer = actors["volunteer"]
    case = await make_case()
    other = await make_case()
    by_ref = await client.get(f"/api/v1/cases/{case.reference}", headers=volunteer)
    assert by_ref.status_code == 200 and by_ref.json()["id"] == case.id
    typed = case.reference.lower()[:3] + " " + case.reference.lower()[3:]
    listed = (await client.get("/api/v1/cases", params={"reference": typed},
                               headers=volunteer)).json()
    assert [item["id"] for item in listed["items"]] == [case.id]
    assert (await client.get("/api/v1/cases/ZZZZZZZ", headers=volunteer)).status_code == 404
    assert (await client.get(f"/api/v1/cases/{case.id}", headers=volunteer)).status_code == 200
    # Another language's volunteer does not see it by reference either.
    hidden = await client.get(f"/api/v1/cases/{case.reference}",
                              headers=actors["volunteer_other_language"])
    assert hidden.status_code == 404
    assert other.id != case.id


async def test_default_list_leaves_out_closed_cases(client, actors, make_case):
    volunteer = actors["volunteer"]
    case = await make_case()
    kept = await make_case()
    await client.post(f"/api/v1/cases/{case.id}/status", json={"status": "closed"},
                      headers=volunteer)
    default = (await client.get("/api/v1/cases", headers=volunteer)).json()
    assert [item["id"] for item in default["items"]] == [kept.id]
    closed = (await client.get("/api/v1/cases", params={"status": "closed"},
                               headers=volunteer)).json()
    assert [item["id"] for item in closed["items"]] == [case.id]


async def test_only_the_assignee_or_an_admin_replies(client, actors, accounts, make_case):
    await accounts.create("gita", Role.volunteer, ("ne",))
    gita = await accounts.login("gita")
    sita = actors["volunteer"]
    case = await make_case()
    base = f"/api/v1/cases/{case.id}"
    # Unassigned: whoever answers first takes it.
    first = await client.post(f"{base}/replies", json={"text": "Keep your payslips"}, headers=sita)
    assert first.status_code == 201 and first.json()["assignee_id"] == actors["volunteer_id"]

    refused = await client.post(f"{base}/replies", json={"text": "Quit now"}, headers=gita)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "conflict"
    assert "assigned to another volunteer" in error["message"]
    article = await client.post(f"{base}/articles", json={"slug": "unpaid-wages"}, headers=gita)
    assert article.status_code in (409, 422)

    by_admin = await client.post(f"{base}/replies", json={"text": "Call 1350"},
                                 headers=actors["admin"])
    assert by_admin.status_code == 201
    again = await client.post(f"{base}/replies", json={"text": "And keep proof"}, headers=sita)
    assert again.status_code == 201
