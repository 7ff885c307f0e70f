"""The org admin invites an imported rep from the Invitations page; the rep opens the one-time
link in their own browser, chooses a password and is signed in; the admin sees it used."""

from __future__ import annotations

import pytest

from ninety.people.models import Person, Role
from tests.browser.conftest import screenshot
from tests.browser.test_phone_browser import WIDEST
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_invites_and_the_rep_signs_in_with_the_link(live_server, browser, world) -> None:
    Person.objects.create(
        org=world.org, name="Nia Newcomer", email="nia@example.com", role=Role.REP
    )
    admin = browser.new_context(viewport={"width": 1280, "height": 900})
    page = admin.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "riley")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.click("header >> text=Invitations")
    page.wait_for_url(f"{live_server.url}/people/invitations/")
    assert (
        page.locator("[data-testid=without-login] tbody tr")
        .all_inner_texts()[0]
        .startswith("Nia Newcomer")
    )
    page.click("[aria-label='Invite Nia Newcomer']")
    link = page.locator("[data-testid=invitation-link]").inner_text().strip()
    assert link.startswith(f"{live_server.url}/account/invitation/")
    notice = page.locator("[data-testid=new-invitation]").inner_text()
    assert "E-mailed to nia@example.com" in notice
    screenshot(page, "invitations-admin")

    rep = browser.new_context(viewport={"width": 390, "height": 844})
    phone = rep.new_page()
    phone.goto(link)
    assert phone.locator("h1").inner_text() == "Choose your password"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "invitation-choose-password-phone")
    phone.fill("#id_new_password1", "a-long-new-secret-42")
    phone.fill("#id_new_password2", "a-long-new-secret-42")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    assert phone.locator(".whoami").inner_text().startswith("Nia Newcomer")
    phone.goto(link)  # once only
    assert "used already" in phone.locator("[role=alert]").inner_text()

    page.goto(f"{live_server.url}/people/invitations/")
    status = page.locator("[data-testid=invitations] tbody tr").first.inner_text()
    assert "Nia Newcomer" in status and "used" in status
    assert page.locator("[aria-label='Invite Nia Newcomer']").count() == 0
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.evaluate(WIDEST)
    screenshot(page, "invitations-admin-phone")
    rep.close()
    admin.close()
