#!/usr/bin/env python3
"""A patient with an account, in a real browser (Debian's chromium, Selenium).

  patient_account.py BASE_URL SCREENSHOT_DIR MAIL_DIR

Against the demo server (which writes its emails as .eml files in MAIL_DIR), on a
phone-sized window: Léa Martin, signed out, asks for a cardiologist's waiting list, signs in
with her password and the code emailed to her and is back on it; she books a first visit for her son Hugo, downloads the .ics, sees it on her account page,
and cancels it. Exits non-zero on the first failure.
"""
import glob
import json
import os
import re
import sys
import time
import urllib.request
from email import policy
from email.parser import BytesParser

from icalendar import Calendar
from selenium.webdriver.common.by import By

from common import browser, check, fill, go, text

base, shots, mail = sys.argv[1], sys.argv[2], sys.argv[3]


def latest_code(address):
    """The six digits of the newest sign-in email to `address` (bounded wait: 10 s)."""
    for _ in range(100):
        for path in sorted(glob.glob(os.path.join(mail, "*.eml")), key=os.path.getmtime, reverse=True):
            with open(path, "rb") as f:
                message = BytesParser(policy=policy.default).parse(f)
            found = re.search(r"(\d{6})", str(message["subject"]))
            if address in str(message["to"]) and found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError("no sign-in code arrived for " + address)


driver = browser()
try:
    email = "lea.martin@avoine.demo"
    # Signed out, she asks for a cardiologist's waiting list: she signs in, and is back on it.
    driver.get(base + "/")
    go(driver, By.LINK_TEXT, "Cardiologie")
    go(driver, By.CSS_SELECTOR, "article.card h2 a")
    go(driver, By.LINK_TEXT, "Liste d'attente")
    check("/signin" in driver.current_url, "a signed-out visitor was not asked to sign in: " + driver.current_url)
    fill(driver, "email", email)
    fill(driver, "password", "avoine-demo-2026")
    driver.save_screenshot(f"{shots}/signin-phone.png")
    go(driver, By.CSS_SELECTOR, "form[action='/signin'] button")
    check("/signin" in driver.current_url and "code" in text(driver).lower(), "the password did not lead to the code page: " + text(driver)[:300])
    fill(driver, "code", latest_code(email))
    go(driver, By.CSS_SELECTOR, "form[action='/signin/code'] button")
    check("/account/waitlist?" in driver.current_url and "motive=" in driver.current_url,
          "signing in did not return to the waiting list: " + driver.current_url)
    driver.get(base + "/account")
    check("Hugo Martin" in text(driver), "the account does not list Hugo")

    # Book for Hugo: a first visit next week, referred by Dr Dupont.
    go(driver, By.LINK_TEXT, "Prendre un rendez-vous")
    go(driver, By.LINK_TEXT, "Cardiologie")
    go(driver, By.CSS_SELECTOR, "article.card h2 a")
    go(driver, By.PARTIAL_LINK_TEXT, "Semaine suivante")
    go(driver, By.CSS_SELECTOR, "form.slot button")
    hugo = driver.find_element(By.XPATH, "//label[contains(., 'Hugo')]").get_attribute("for")
    driver.find_element(By.ID, hugo).click()
    fill(driver, "doctorQuery", "dupont")
    go(driver, By.CSS_SELECTOR, "button[value=search_doctor]")
    driver.find_element(By.CSS_SELECTOR, "input[name=referringDoctor]").click()
    check(driver.find_element(By.ID, hugo).is_selected(), "the choice of Hugo was lost")
    driver.save_screenshot(f"{shots}/booking-for-relative-phone.png")
    go(driver, By.CSS_SELECTOR, "button[value=book]")
    check("Votre rendez-vous est confirmé" in text(driver), "no confirmation: " + text(driver)[:300])
    appointment = driver.current_url.split("?")[0]

    # The .ics, fetched with the browser's session cookie.
    href = driver.find_element(By.PARTIAL_LINK_TEXT, ".ics").get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookies})) as response:
        event = next(c for c in Calendar.from_ical(response.read()).walk() if c.name == "VEVENT")
    check(str(event["STATUS"]) == "CONFIRMED", "the calendar event is not confirmed")

    # The account shows it under Hugo; cancel it from its page.
    go(driver, By.LINK_TEXT, "Mon compte")
    sections = driver.find_elements(By.CSS_SELECTOR, "main section")
    hugo_section = next(s for s in sections if "Hugo Martin" in s.text)
    check(len(hugo_section.find_elements(By.CSS_SELECTOR, "ul.links a")) >= 1, "Hugo's appointment is not on the account page")
    driver.save_screenshot(f"{shots}/account-phone.png")
    # A copy of the account's data, with the browser's session: Hugo's visit is in it.
    link = driver.find_element(By.LINK_TEXT, "Télécharger mes données (JSON)").get_attribute("href")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(link, headers={"Cookie": cookie}), timeout=30) as response:
        copy = json.loads(response.read())
    hugo_copy = next((p for p in copy["people"] if p["firstName"] == "Hugo"), None)
    check(hugo_copy is not None and len(hugo_copy["appointments"]) >= 1, "the data copy does not hold Hugo's appointment")
    driver.get(appointment)
    go(driver, By.CSS_SELECTOR, "form[action$=cancel] button")
    check("Ce rendez-vous est annulé" in text(driver), "cancelling did not say so")
finally:
    driver.quit()
print("ok")
