#!/usr/bin/env python3
"""A secretary books for a caller and records the arrival, in a real browser.

  secretary_phone.py BASE_URL SCREENSHOT_DIR DEMO_START LAUNCHED

The demo server runs a training clock that started at DEMO_START (epoch seconds) when it
was launched at LAUNCHED (epoch seconds): a Monday evening, so the next morning's slots
are within the hours in which an arrival can be recorded, whatever the real time. Sandrine Leroy signs in with her
authenticator code (computed for the server's clock), opens cardiology's agenda, finds
Jeanne Girard (followed in cardiology) when she calls, books her follow-up by phone, lands
back on the agenda where she shows with the phone channel, and marks her arrived.
"""
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from common import SANDRINE_KEY, browser, check, fill, go, text, totp

base, shots, demo_start, launched = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])


def server_now():
    return demo_start + (time.time() - launched)


driver = browser()
try:
    started = time.time()
    driver.get(base + "/signin")
    fill(driver, "email", "sandrine.leroy@avoine.demo")
    fill(driver, "password", "avoine-demo-2026")
    fill(driver, "code", totp(SANDRINE_KEY, server_now()))
    go(driver, By.CSS_SELECTOR, "form[action='/signin'] button")
    check(driver.current_url.endswith("/staff"), "the secretary did not land on her departments: " + text(driver)[:300])
    go(driver, By.LINK_TEXT, "Cardiologie")
    go(driver, By.PARTIAL_LINK_TEXT, "Prendre un rendez-vous pour un appelant")
    # Jeanne Girard, followed in cardiology, calls for her follow-up.
    Select(driver.find_element(By.ID, "motive")).select_by_visible_text(
        next(o.text for o in Select(driver.find_element(By.ID, "motive")).options if o.text.startswith("Consultation de suivi")))
    go(driver, By.CSS_SELECTOR, "form[action='/staff/book'] button")
    go(driver, By.CSS_SELECTOR, "form.slot button")
    check("/staff/book/" in driver.current_url, "choosing a slot did not open the booking form: " + text(driver)[:300])
    fill(driver, "patientQuery", "girard jeanne")
    go(driver, By.CSS_SELECTOR, "button[value=search_patient]")
    found = driver.find_elements(By.CSS_SELECTOR, "input[name=patientId]")
    check(len(found) == 1, "the caller was not found once: " + text(driver)[:400])
    found[0].click()
    fill(driver, "reason", "Résultats du holter")
    driver.save_screenshot(f"{shots}/phone-booking-phone.png")
    go(driver, By.CSS_SELECTOR, "button[value=book]")
    check("/staff/agenda" in driver.current_url, "booking did not return to the agenda: " + text(driver)[:400])
    elapsed = time.time() - started

    rows = [row for row in driver.find_elements(By.CSS_SELECTOR, "table.agenda tbody tr") if "GIRARD Jeanne" in row.text]
    check(len(rows) == 1, "the caller is not on the agenda once: " + text(driver)[:500])
    check("téléphone" in rows[0].text, "the booking is not marked as by phone: " + rows[0].text)
    forms = rows[0].find_elements(By.CSS_SELECTOR, "form[action$=arrive]")
    check(len(forms) == 1, f"no arrival button for the caller ({driver.current_url}): " + rows[0].text)
    row_id = forms[0].get_attribute("action")
    go(driver, By.CSS_SELECTOR, f"form[action='{row_id.split(base)[-1]}'] button")
    rows = [row for row in driver.find_elements(By.CSS_SELECTOR, "table.agenda tbody tr") if "GIRARD Jeanne" in row.text]
    check("arrivé" in rows[0].text, "the arrival was not recorded: " + rows[0].text)
    driver.save_screenshot(f"{shots}/agenda-arrived-phone.png")
finally:
    driver.quit()
print(f"ok (booked by phone in {elapsed:.1f} s of browser time)")
