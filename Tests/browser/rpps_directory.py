#!/usr/bin/env python3
"""A new patient finds their GP in a directory that came from an RPPS import.

  rpps_directory.py BASE_URL SCREENSHOT_DIR

The server's database has had a generated Annuaire Santé extract imported into it (with
`creneau import-rpps`, by the test that runs this); among its doctors is Dr Claire DUPONT, in a
practice of Pontoise. On a phone-sized window a new patient books a first visit, types
"dupont pontoise" as the doctor who refers them, picks Claire Dupont, and books. Exits non-zero
on the first failure.
"""
import sys

from selenium.webdriver.common.by import By

from common import browser, check, fill, first_slot_from_home, go, patient_details, text

base, shots = sys.argv[1], sys.argv[2]

driver = browser()
try:
    first_slot_from_home(driver, base, shots)
    patient_details(driver)
    fill(driver, "doctorQuery", "dupont pontoise")
    go(driver, By.CSS_SELECTOR, "button[value=search_doctor]")
    choices = {label.text: label.get_attribute("for") for label in driver.find_elements(By.CSS_SELECTOR, "label[for^=doctor-]")}
    claire = [name for name in choices if name.startswith("Claire DUPONT")]
    check(len(claire) == 1, "Claire Dupont of the imported directory is not offered: " + repr(list(choices)))
    check("PONTOISE" in claire[0], "the imported doctor is not shown with her town: " + claire[0])
    driver.find_element(By.ID, choices[claire[0]]).click()
    driver.save_screenshot(f"{shots}/rpps-doctor-phone.png")
    go(driver, By.CSS_SELECTOR, "button[value=book]")
    check("/appointments/" in driver.current_url, "booking with the imported doctor failed: " + text(driver)[:400])
    check("Votre rendez-vous est confirmé" in text(driver), "no confirmation: " + text(driver)[:400])
finally:
    driver.quit()
print("ok")
