#!/usr/bin/env python3
"""Patients in a real browser (Debian's chromium and chromedriver, Selenium).

  patient_booking.py BASE_URL SCREENSHOT_DIR

Against a server started from the build with the demo data, on a phone-sized window:
  1. a new patient who does not name a referring doctor is refused with a clear message,
     in French, and loses nothing they typed;
  2. a visitor finds a cardiologist from the home page, books a first visit with their
     referring doctor, gets the confirmation, downloads the .ics (read back by a real
     iCalendar parser) and cancels;
  3. the FR/EN switch keeps the page and changes its language.
Screenshots of the key pages go to SCREENSHOT_DIR. Exits non-zero on the first failure.
"""
import sys
import urllib.request

from icalendar import Calendar
from selenium.webdriver.common.by import By

from common import browser, check, fill, first_slot_from_home, go, patient_details, text

base, shots = sys.argv[1], sys.argv[2]

driver = browser()
try:
    # 1. No referring doctor: refused, in words a patient understands, nothing lost.
    first_slot_from_home(driver, base, shots)
    patient_details(driver)
    go(driver, By.CSS_SELECTOR, "button[value=book]")
    refusal = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    check("indiquez le médecin qui vous adresse" in refusal, "the refusal does not say, in French, that a referring doctor is needed: " + refusal)
    check(driver.find_element(By.ID, "firstName").get_attribute("value") == "Camille", "the form lost what was typed")
    driver.save_screenshot(f"{shots}/booking-refused-phone.png")

    # 2. Choose the doctor from the directory, book, see the confirmation.
    fill(driver, "doctorQuery", "dupont")
    go(driver, By.CSS_SELECTOR, "button[value=search_doctor]")
    driver.find_element(By.CSS_SELECTOR, "input[name=referringDoctor]").click()
    driver.save_screenshot(f"{shots}/booking-form-phone.png")
    go(driver, By.CSS_SELECTOR, "button[value=book]")
    check("/appointments/" in driver.current_url, "booking did not lead to the appointment page: " + text(driver)[:400])
    page = text(driver)
    check("Votre rendez-vous est confirmé" in page, "no confirmation: " + page[:400])
    driver.save_screenshot(f"{shots}/confirmation-phone.png")

    # The .ics a calendar app would import.
    href = driver.find_element(By.PARTIAL_LINK_TEXT, ".ics").get_attribute("href")
    with urllib.request.urlopen(href) as response:
        check(response.headers["Content-Type"].startswith("text/calendar"), "the calendar file is not text/calendar")
        event = next(c for c in Calendar.from_ical(response.read()).walk() if c.name == "VEVENT")
    check(str(event["STATUS"]) == "CONFIRMED", "the calendar event is not confirmed")
    check("Palpitations" not in str(event.get("DESCRIPTION", "")), "the calendar file carries the reason the patient typed")

    # Cancel.
    fill(driver, "reason", "Empêchement")
    go(driver, By.CSS_SELECTOR, "form[action$=cancel] button")
    check("Ce rendez-vous est annulé" in text(driver), "cancelling did not say so")
    driver.save_screenshot(f"{shots}/cancelled-phone.png")

    # 3. The language switch keeps the page.
    address = driver.current_url.split("?")[0]
    go(driver, By.LINK_TEXT, "English")
    check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en", "the switch did not change the language")
    check(driver.current_url.startswith(address), "the switch left the page")
    check("This appointment is cancelled" in text(driver), "the English page does not say the appointment is cancelled")
    driver.save_screenshot(f"{shots}/cancelled-english-phone.png")
finally:
    driver.quit()
print("ok")
