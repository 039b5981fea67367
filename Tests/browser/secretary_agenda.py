#!/usr/bin/env python3
"""A secretary in a real browser (Debian's chromium, Selenium).

  secretary_agenda.py BASE_URL SCREENSHOT_DIR

Against the demo server: a visitor books a first visit in cardiology online, with the
reason they typed; then Sandrine Leroy, secretary, signs in with her password and her
authenticator code (RFC 6238, computed here from the demo's public key), opens
cardiology's agenda on that day, and finds the booking marked "online" with the
patient's words. Exits non-zero on the first failure.
"""
import sys
import urllib.request
from datetime import timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar
from selenium.webdriver.common.by import By

from common import SANDRINE_KEY, browser, check, fill, first_slot_from_home, go, patient_details, text, totp

base, shots = sys.argv[1], sys.argv[2]


driver = browser()
try:
    # A visitor books, and says why.
    first_slot_from_home(driver, base, shots)
    patient_details(driver)
    fill(driver, "doctorQuery", "dupont")
    go(driver, By.CSS_SELECTOR, "button[value=search_doctor]")
    driver.find_element(By.CSS_SELECTOR, "input[name=referringDoctor]").click()
    go(driver, By.CSS_SELECTOR, "button[value=book]")
    check("Votre rendez-vous est confirmé" in text(driver), "the visitor's booking failed: " + text(driver)[:300])
    href = driver.find_element(By.PARTIAL_LINK_TEXT, ".ics").get_attribute("href")
    with urllib.request.urlopen(href) as response:
        event = next(c for c in Calendar.from_ical(response.read()).walk() if c.name == "VEVENT")
    day = event["DTSTART"].dt.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Paris")).date().isoformat()
    driver.delete_all_cookies()

    # The secretary signs in with her authenticator code.
    driver.get(base + "/signin")
    fill(driver, "email", "sandrine.leroy@avoine.demo")
    fill(driver, "password", "avoine-demo-2026")
    fill(driver, "code", totp(SANDRINE_KEY))
    go(driver, By.CSS_SELECTOR, "form[action='/signin'] button")
    check(driver.current_url.endswith("/staff"), "the secretary did not land on her departments: " + text(driver)[:300])
    go(driver, By.LINK_TEXT, "Cardiologie")
    agenda = driver.current_url.split("&day=")[0]
    driver.get(f"{agenda}&day={day}")
    rows = [row for row in driver.find_elements(By.CSS_SELECTOR, "table.agenda tbody tr") if "NAVARRO Camille" in row.text]
    check(len(rows) >= 1, "the online booking is not on the agenda of " + day + ": " + text(driver)[:500])
    check("en ligne" in rows[-1].text, "the online booking is not marked as such: " + rows[-1].text)
    check("Palpitations depuis deux semaines" in rows[-1].text, "the reason the patient typed is not shown: " + rows[-1].text)
    driver.save_screenshot(f"{shots}/agenda-phone.png")
    driver.set_window_size(1280, 900)
    driver.save_screenshot(f"{shots}/agenda-desktop.png")

    # Her practitioner's week, with the patient named; then the department's week, naming nobody.
    go(driver, By.XPATH, "//section[.//td[contains(., 'NAVARRO Camille')]]//a[contains(@href, 'week=')]")
    check("Semaine du lundi" in text(driver), "the practitioner's week did not open: " + text(driver)[:300])
    check("NAVARRO Camille" in text(driver) and "Palpitations depuis deux semaines" in text(driver), "the practitioner's week misses the booking")
    check("Libre :" in text(driver), "the practitioner's week does not show free time")
    driver.set_window_size(412, 915)
    driver.save_screenshot(f"{shots}/agenda-week-phone.png")
    driver.get(f"{agenda}&week={day}")
    cells = driver.find_elements(By.CSS_SELECTOR, "table.week tbody td")
    check(any("rdv" in cell.text for cell in cells) and any("libre" in cell.text for cell in cells),
          "the week overview counts neither appointments nor free time")
    check("NAVARRO" not in text(driver), "the department's week names patients")
    driver.set_window_size(1280, 900)
    driver.save_screenshot(f"{shots}/agenda-week-desktop.png")
finally:
    driver.quit()
print("ok")
