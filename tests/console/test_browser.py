"""The console in a real browser (Chromium, driven by Playwright) against `sathi run`.

A Nepali worker writes to the bot (the fake Bot API over real HTTP); a Nepali volunteer sees the
case appear, takes it and answers with a canned reply, which reaches the worker's chat; a
Bengali volunteer cannot open the case by its URL; a form without its CSRF token is refused;
logging out ends the session. Screenshots of each page at 360 and 1280 px are saved (the path
is printed; CONSOLE_SCREENSHOTS=<folder> keeps a copy).
"""

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from sathi.enums import Role
from sathi.runtime import Runtime
from sathi.services import canned, gaps
from tests.console.browser import SathiProcess, Screenshots, Worker, chromium, until
from tests.fakes import updates
from tests.fakes.bot_api import FakeBotApi

CANNED = "Keep every payslip and write down your hours. Canned-Qx7"
WORDS = "mero talab aayena Worker-Zk2"
LATER = "dui mahina bhayo Later-Wq3"
NOTICE = "https://www.moel.go.kr/example-notice"  # a test value, as in test_facts_api.py


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    executable = chromium()
    async with async_playwright() as playwright:
        found = await playwright.chromium.launch(executable_path=executable)
        yield found
        await found.close()


@pytest.fixture
async def sathi(imported: Runtime, fake_api, tmp_path) -> AsyncIterator[SathiProcess]:
    server = SathiProcess(imported.settings, fake_api, tmp_path)
    yield server
    await server.stop()


@pytest.fixture
def shots(tmp_path) -> Screenshots:
    return Screenshots(tmp_path / "screenshots")


async def _page(browser: Browser, sathi: SathiProcess) -> Page:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15000)
    return page


async def _log_in(page: Page, sathi: SathiProcess, username: str, password: str) -> None:
    await page.goto(f"{sathi.url}/console")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Cases in your languages")).to_be_visible()


async def _open_case_as_worker(worker: Worker, words: str) -> str:
    await worker.send(updates.command("start", language_code="ne"))
    await worker.press("lang:choose:ne")
    await worker.press("esc:offer")
    await worker.press("esc:agree")
    [opened] = await worker.say(words)
    return opened.text


async def test_a_volunteer_answers_a_new_case_with_a_canned_reply(
        imported: Runtime, accounts, sathi, fake_api, browser, shots):
    sita = await accounts.create("sita", Role.volunteer, ("ne",), public_name="Sita")
    async with imported.sessionmaker.begin() as session:
        await canned.create_canned_reply(session, staff=sita, lang="ne", title="Payslips",
                                         body=CANNED)
    await sathi.start()
    page = await _page(browser, sathi)
    await page.goto(f"{sathi.url}/console")
    await shots.take(page, "login")
    await _log_in(page, sathi, "sita", accounts.password)
    await expect(page.get_by_text("No cases match.")).to_be_visible()

    # The worker asks for a volunteer on Telegram; the open queue shows the case, no reload.
    worker = Worker(fake_api)
    await _open_case_as_worker(worker, WORDS)
    case_link = page.locator(".case a").first
    await expect(case_link).to_be_visible(timeout=15000)
    reference = (await case_link.locator(".ref").inner_text()).strip()
    await expect(page.locator(".case").first).to_contain_text("New messages")
    await shots.take(page, "queue")

    await case_link.click()
    await expect(page.get_by_role("heading", name=f"Case {reference}")).to_be_visible()
    await expect(page.get_by_text(WORDS)).to_be_visible()
    # Wait for the page the claim leads to, loaded with its script: a canned reply chosen before
    # then (the facts are polled, and may show the assignee early) left the reply box empty in CI.
    async with page.expect_navigation(wait_until="load"):
        await page.get_by_role("button", name="Take this case").click()
    await expect(page.locator(".facts")).to_contain_text("Sita")
    await page.get_by_label("Canned reply").select_option(label="Payslips")
    await expect(page.get_by_label("Your reply")).to_have_value(CANNED)
    await page.get_by_role("button", name="Send reply").click()

    # The bot delivers it to the worker's chat; the page shows it sent, without a reload.
    await until(lambda: any(CANNED in call.text for call in worker.chat()), what="the reply")
    [reply] = [call for call in worker.chat() if CANNED in call.text]
    assert reference in reply.text and "Sita" in reply.text
    await expect(page.locator(".message.outbound .delivery").last).to_have_text("Sent",
                                                                                 timeout=15000)
    # The worker answers; the thread shows it within a few seconds.
    await worker.say(LATER, answers=0)
    await expect(page.get_by_text(LATER)).to_be_visible(timeout=15000)
    await shots.take(page, "case")

    # The canned replies of her languages, where she adds and changes them.
    await page.get_by_role("link", name="Canned replies").click()
    await expect(page.locator(".case", has_text="Payslips")).to_contain_text(CANNED)
    await shots.take(page, "canned")

    # Logging out ends the session: the case page is no longer reachable.
    await page.get_by_role("button", name="Log out").click()
    await expect(page.get_by_role("heading", name="Log in to the Sathi console")).to_be_visible()
    await page.goto(f"{sathi.url}/console/cases")
    await expect(page.get_by_role("heading", name="Log in to the Sathi console")).to_be_visible()
    await expect(page.get_by_role("alert")).to_contain_text("Your session has ended")


async def test_a_bengali_volunteer_cannot_open_a_nepali_case_by_url(
        imported: Runtime, accounts, sathi, fake_api, browser, shots):
    await accounts.create("rahim", Role.volunteer, ("bn",))
    await sathi.start()
    await _open_case_as_worker(Worker(fake_api), WORDS)
    page = await _page(browser, sathi)
    await _log_in(page, sathi, "rahim", accounts.password)
    await expect(page.get_by_text("No cases match.")).to_be_visible()
    async with imported.sessionmaker() as session:
        from sqlalchemy import select

        from sathi.models import Case
        [case_id] = (await session.scalars(select(Case.id))).all()
    answer = await page.goto(f"{sathi.url}/console/cases/{case_id}")
    assert answer is not None and answer.status == 404
    await expect(page.get_by_role("alert")).to_contain_text("not in your languages")
    assert WORDS not in await page.content()
    await shots.take(page, "not-found")


async def test_a_form_without_its_csrf_token_is_refused(
        imported: Runtime, accounts, sathi, fake_api, browser, shots):
    await accounts.create("sita", Role.volunteer, ("ne",))
    await sathi.start()
    await _open_case_as_worker(Worker(fake_api), WORDS)
    page = await _page(browser, sathi)
    await _log_in(page, sathi, "sita", accounts.password)
    await page.locator(".case a").first.click()
    take = page.get_by_role("button", name="Take this case")
    await expect(take).to_be_visible()  # the case page has loaded: its forms are the ones to strip
    await page.evaluate("document.querySelectorAll('input[name=csrf]')"
                        ".forEach(input => input.remove())")
    await take.click()
    await expect(page.get_by_role("alert")).to_contain_text("did not come from your console")
    await shots.take(page, "csrf-refused")
    await page.go_back()
    await page.reload()
    await expect(page.locator(".facts")).to_contain_text("Unassigned")


MARK = "Reviewed-in-the-console Rv8"


async def _nepali_revision_in_review(runtime: Runtime, editor) -> None:
    from knowledge.topics import load_topics
    from sathi.services import editing
    from sathi.services import facts as fact_service

    settings = runtime.settings
    async with runtime.sessionmaker.begin() as session:
        [published] = [r for r in await editing.revisions_of(session, "unpaid-wages", "ne")
                       if r.state == "published"]
        draft = editing.Draft(title=published.title, keywords=list(published.keywords),
                              sources=list(published.sources),
                              body=f"{MARK}\n\n{published.body}")
        revision = await editing.create_draft(
            session, editor, slug="unpaid-wages", lang="ne", draft=draft,
            topics=load_topics(settings.topics_file), languages=settings.languages,
            facts=await fact_service.load_facts(session))
        await editing.submit(session, revision, editor)


async def test_a_reviewer_approves_a_nepali_revision_and_the_bot_serves_it(
        imported: Runtime, accounts, sathi, fake_api, browser, shots):
    editor = await accounts.create("edith", Role.editor, ("ne",))
    await accounts.create("ram", Role.reviewer, ("ne",))
    await _nepali_revision_in_review(imported, editor)
    await sathi.start()
    page = await _page(browser, sathi)
    await page.goto(f"{sathi.url}/console")
    await page.get_by_label("Username").fill("ram")
    await page.get_by_label("Password").fill(accounts.password)
    await page.get_by_role("button", name="Log in").click()
    await page.get_by_role("link", name="Guide").click()
    await page.get_by_label("Show").select_option("draft")
    await page.get_by_role("button", name="Filter").click()
    await shots.take(page, "guide")
    row = page.locator(".case", has_text="unpaid-wages").filter(has_text="ne")
    await expect(row).to_contain_text("In review")
    await row.get_by_role("link").click()
    await expect(page.locator("#a-body")).to_contain_text(MARK)
    await expect(page.get_by_role("heading", name="English source (revision 1)")).to_be_visible()
    await shots.take(page, "article")
    await page.get_by_role("button", name="Approve").click()
    await expect(page.locator(".facts")).to_contain_text("Approved")
    await page.get_by_role("button", name="Publish").click()
    await expect(page.locator(".facts")).to_contain_text("Published")

    worker = Worker(fake_api)
    await worker.send(updates.command("start", language_code="ne"))
    await worker.press("lang:choose:ne")
    await worker.press("cat:open:at-work")
    shown = await worker.press("art:show:unpaid-wages")
    assert any(MARK in call.text for call in shown), [call.text[-200:] for call in shown]

    # The reviewer adds next year's value of a fact, then reads what workers did not find.
    await page.get_by_role("link", name="Guide", exact=True).click()
    await page.get_by_role("link", name="Facts and their dates").click()
    fact = page.locator("#fact-minimum_wage_hourly")
    await expect(fact.get_by_role("link", name="minimum-wage/ne", exact=True)).to_be_visible()
    await shots.take(page, "facts")
    await fact.get_by_text("Add a new value").click()
    await fact.get_by_label("Value", exact=True).fill("10500")
    await fact.get_by_label("From", exact=True).fill("2027-01-01")
    await fact.get_by_label("Source (the official page it comes from)").fill(NOTICE)
    await fact.get_by_role("button", name="Add this value").click()
    await expect(page.locator("#fact-minimum_wage_hourly table")).to_contain_text("10500")
    await expect(page.locator("#fact-minimum_wage_hourly")).not_to_contain_text("Ends on")
    async with imported.sessionmaker.begin() as session:
        await gaps.record_miss(session, lang="ne", question="visa kasari badhaune")
        await gaps.record_feedback(session, lang="ne", slug="unpaid-wages", helpful=False)
    await page.get_by_role("link", name="Asked and not found").click()
    await expect(page.locator(".missed")).to_contain_text("visa kasari badhaune")
    await shots.take(page, "gaps")
    await page.get_by_role("link", name="ram", exact=True).click()
    await page.get_by_label("Your Telegram chat id (where files you ask for are sent)").fill(
        "7700123")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_text("Not proven yet")).to_be_visible()
    await expect(page.get_by_label("Code from the bot")).to_be_visible()
    await shots.take(page, "profile")


async def test_an_admin_works_in_nepali_and_sees_the_case_access_audit(
        imported: Runtime, accounts, sathi, fake_api, browser, shots):
    await accounts.create("boss", Role.admin)
    await sathi.start()
    await _open_case_as_worker(Worker(fake_api), WORDS)
    page = await _page(browser, sathi)
    await _log_in(page, sathi, "boss", accounts.password)
    await page.get_by_label("Interface language").select_option("ne")
    await page.get_by_role("button", name="Change language").click()
    await expect(page.locator("html")).to_have_attribute("lang", "ne")
    ne = imported.catalogs.get("ne")
    await expect(page.get_by_role("heading", name=ne.gettext("Cases in your languages"))
                 ).to_be_visible()
    await shots.take(page, "queue-ne")
    await page.locator(".case a").first.click()
    await page.get_by_role("link", name=ne.gettext("Admin")).click()
    await expect(page.locator(".audit")).to_contain_text("read_case")
    await shots.take(page, "admin-ne")
