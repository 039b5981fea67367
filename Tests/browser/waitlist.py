#!/usr/bin/env python3
"""Scenario 8 against the real server (`serve --demo` with its SMS going to scripts/sms-peer.py and
waiting-list offers held for CRENEAU_WAITLIST_OFFER_MINUTES=1):

  waitlist.py BASE SHOTS SMS_DIR FROM TO      (FROM, TO: the days the callers can come, YYYY-MM-DD)

Paul books a slot next week online; the secretary puts Inès, then Marc (records the test made),
on the waiting list for that motive from her page; Paul cancels from his message's link; Inès is
offered the slot by SMS at once (the time from the click to the SMS is printed); she does not
answer; after the window the offer goes to Marc, who accepts in the browser and is booked; Inès's
link then says it is over; the desk's list shows how it went. The seconds from the click to the
first offer at the gateway are written to SHOTS/waitlist-first-offer.txt.
Exits non-zero on the first failure; prints "ok" at the end.
"""
import json
import os
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from common import SANDRINE_KEY, browser, check, fill, first_slot_from_home, go, patient_details, sign_in_staff, text

base, shots, sms_dir, first_day, last_day = sys.argv[1:6]


def texts_to(number, after=0.0):
    found = []
    for name in os.listdir(sms_dir):
        if name.endswith(".json") and name != "mode.json":
            with open(os.path.join(sms_dir, name), encoding="utf-8") as f:
                record = json.load(f)
            if record["fields"].get("to") == number and record["at"] >= after:
                found.append(record)
    return sorted(found, key=lambda r: r["at"])


def wait_text(number, containing, after=0.0, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        for record in texts_to(number, after):
            if containing in record["fields"].get("text", ""):
                return record
        time.sleep(0.1)
    raise AssertionError(f"no SMS to {number} containing {containing!r} after {seconds} s")


def link(record):
    words = record["fields"]["text"]
    start = words.find("http")
    check(start >= 0, "the SMS carries no link: " + words)
    return words[start:].split()[0]


driver = browser()
try:
    # Paul books next week's first slot online, with his mobile.
    first_slot_from_home(driver, base, shots)
    patient_details(driver)
    fill(driver, "firstName", "Paul")
    fill(driver, "lastName", "Moreau")
    fill(driver, "email", "paul.moreau@example.org")
    fill(driver, "phone", "06 10 20 30 40")
    fill(driver, "doctorQuery", "dupont")
    go(driver, By.CSS_SELECTOR, "button[value=search_doctor]")
    driver.find_element(By.CSS_SELECTOR, "input[name=referringDoctor]").click()
    go(driver, By.CSS_SELECTOR, "button[value=book]")
    check("Votre rendez-vous est confirmé" in text(driver), "no confirmation: " + text(driver)[:300])
    paul_page = text(driver)
    driver.save_screenshot(f"{shots}/waitlist-paul-booked.png")

    # The secretary puts Inès, then Marc, on the waiting list for the same motive and practitioner.
    confirmation = wait_text("+33610203040", "http", seconds=20)
    paul_link = link(confirmation)
    staff = browser()
    try:
        sign_in_staff(staff, base, "sandrine.leroy@avoine.demo", SANDRINE_KEY)
        staff.get(base + "/staff/waitlist")
        check("Liste d'attente" in text(staff), "the desk's waiting list does not open")
        Select(staff.find_element(By.ID, "department")).select_by_visible_text("Cardiologie")
        go(staff, By.CSS_SELECTOR, "form[action='/staff/waitlist'][method='get'] button")
        for last, birth in [("Roux", "1990-04-04"), ("Lambert", "1985-09-09")]:
            fill(staff, "lastName", last)
            staff.execute_script(f"arguments[0].value = '{birth}'", staff.find_element(By.ID, "birthDate"))
            # The motive and practitioner of Paul's visit, as his confirmation page names them.
            motives = Select(staff.find_element(By.ID, "motive"))
            named = [o.text for o in motives.options if o.text and o.text in paul_page]
            check(named, "Paul's motive is not among the department's: " + paul_page[:300])
            motives.select_by_visible_text(max(named, key=len))
            doctors = Select(staff.find_element(By.ID, "practitioner"))
            named = [o.text for o in doctors.options if o.get_attribute("value") and o.text.split()[-1] in paul_page]
            check(named, "Paul's practitioner is not among the department's")
            doctors.select_by_visible_text(named[0])
            staff.execute_script("arguments[0].value = arguments[1]", staff.find_element(By.ID, "from"), first_day)
            staff.execute_script("arguments[0].value = arguments[1]", staff.find_element(By.ID, "to"), last_day)
            for day in range(1, 8):
                box = staff.find_element(By.NAME, f"weekday{day}")
                if not box.is_selected():
                    box.click()
            Select(staff.find_element(By.ID, "noticeHours")).select_by_value("0")
            staff.find_element(By.CSS_SELECTOR, "input[name='reach'][value='sms']").click()
            fill(staff, "doctorQuery", "dupont")
            go(staff, By.CSS_SELECTOR, "button[value='search_doctor']")
            radios = staff.find_elements(By.CSS_SELECTOR, "input[name='referringDoctor']")
            check(radios, "the directory search found nobody")
            radios[0].click()
            go(staff, By.CSS_SELECTOR, "form[action='/staff/waitlist'][method='post'] button[type='submit']:not([value='search_doctor'])")
            check("Patient inscrit" in text(staff), "the caller was not added: " + text(staff)[:400])
            time.sleep(1.1)  # joined one after the other: Inès first
        listed = text(staff)
        check(listed.find("ROUX Inès") < listed.find("LAMBERT Marc"), "Inès is not first on the list")
        staff.save_screenshot(f"{shots}/waitlist-desk.png")

        # Paul cancels from his message's link.
        driver.get(paul_link)
        check("/appointments/" in driver.current_url and "annuler" in text(driver).lower(), "Paul's link does not open his appointment")
        fill(driver, "reason", "Empêchement")
        clicked = time.time()
        go(driver, By.CSS_SELECTOR, "form[action$=cancel] button")
        check("Ce rendez-vous est annulé" in text(driver), "Paul could not cancel: " + text(driver)[:300])
        offer = wait_text("+33611223344", "Liste d'attente", after=clicked - 1, seconds=10)
        with open(f"{shots}/waitlist-first-offer.txt", "w", encoding="utf-8") as f:
            f.write(f"{offer['at'] - clicked:.2f}\n")
        check(offer["at"] - clicked < 2.0, "the first offer took more than 2 s")
        ines_link = link(offer)

        # Inès does not answer: after the window (1 minute here), Marc is offered the slot.
        marc = wait_text("+33622334455", "Liste d'attente", after=clicked, seconds=100)
        marc_link = link(marc)
        driver.get(marc_link)
        check("Un créneau s'est libéré" in text(driver) and "Accepter ce rendez-vous" in text(driver), "Marc's offer page: " + text(driver)[:300])
        driver.save_screenshot(f"{shots}/waitlist-offer-phone.png")
        go(driver, By.CSS_SELECTOR, "form[action$='/accept'] button")
        check("/appointments/" in driver.current_url, "accepting did not open the appointment: " + text(driver)[:300])
        driver.save_screenshot(f"{shots}/waitlist-accepted-phone.png")
        wait_text("+33622334455", "RDV confirmé", after=clicked, seconds=20)

        # Inès's link now says the time has passed, and offers nothing to click.
        driver.get(ines_link)
        check("délai pour répondre est passé" in text(driver), "Inès's page does not say the offer lapsed: " + text(driver)[:300])
        check(not driver.find_elements(By.CSS_SELECTOR, "form[action$='/accept'] button"), "a lapsed offer can still be accepted")

        staff.refresh()
        listed = text(staff)
        check("sans réponse" in listed and "rendez-vous pris" in listed, "the desk's list does not show the outcomes: " + listed[:600])
        staff.save_screenshot(f"{shots}/waitlist-desk-after.png")
    finally:
        staff.quit()
finally:
    driver.quit()
print("ok")
