#!/usr/bin/env python3
"""A new hospital set up from an empty database, in a real browser (chromium, Selenium).

  hospital_setup.py BASE_URL SCREENSHOT_DIR MAIL_DIR ENROLMENT_LINK

Against `creneau serve` on an empty database (no demo), whose first administrator was made by
`creneau admin create` (ENROLMENT_LINK is the one-time link it printed):
  1. the director chooses a password and enrols an authenticator from the QR code's key;
  2. creates a site, two departments (cardiology needs a referring doctor for new patients,
     general practice does not), three practitioners, a room, a motive per department and
     each practitioner's weekly template;
  3. invites a secretary and a referring doctor, who enrol from their emailed links;
  4. a patient signs up, confirms her address, signs in with the emailed code and books a
     general practitioner without a referring doctor;
  5. the referring doctor books a cardiologist's referral slot for his patient on the portal;
  6. the secretary finds both on the agenda.
Screenshots of the new pages go to SCREENSHOT_DIR. Exits non-zero on the first failure.
"""
import glob
import os
import re
import sys
import time
from email import policy
from email.parser import BytesParser

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from common import browser, check, fill, go, text, totp

base, shots, mail, link = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
PASSWORD = "quatre mots bien longs"


def newest_mail(address, pattern):
    """The first match of `pattern` in the newest email to `address` (bounded wait: 10 s)."""
    for _ in range(100):
        for path in sorted(glob.glob(os.path.join(mail, "*.eml")), key=os.path.getmtime, reverse=True):
            with open(path, "rb") as f:
                message = BytesParser(policy=policy.default).parse(f)
            if address not in str(message["to"]):
                continue
            body = message.get_body(preferencelist=("plain",)).get_content() + str(message["subject"])
            found = re.search(pattern, body)
            if found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no email matching {pattern} arrived for {address}")


def enrol(driver, url, shot=None):
    """Opens an enrolment link, chooses the password, reads the key, types the app's code."""
    driver.get(url)
    for _ in range(50):  # bounded: 5 s for the page to be complete
        if "Configurer votre accès" in text(driver) and driver.find_elements(By.ID, "key"):
            break
        time.sleep(0.1)
    check("Configurer votre accès" in text(driver), f"the enrolment page did not open ({url}): " + driver.page_source[:600])
    check(len(driver.find_elements(By.CSS_SELECTOR, ".qr svg")) == 1, "no QR code on the enrolment page")
    # What a person types into the app: the key shown as text (the QR code holds the same).
    secret = driver.find_element(By.ID, "key").text.replace(" ", "")
    check(secret in driver.find_element(By.CSS_SELECTOR, "a[href^='otpauth:']").get_attribute("href"), "the key shown as text is not the app's")
    if shot:
        driver.save_screenshot(f"{shots}/{shot}.png")
    fill(driver, "password", PASSWORD)
    fill(driver, "code", totp(secret))
    go(driver, By.CSS_SELECTOR, "form[action='/staff/welcome'] button")
    check("Votre accès est prêt" in text(driver), "enrolment failed: " + text(driver)[:300])
    return secret


def sign_in(driver, email, secret):
    # The enrolment spent this 30-second step's code: the next one (the server allows a step of drift).
    driver.get(base + "/signin")
    fill(driver, "email", email)
    fill(driver, "password", PASSWORD)
    fill(driver, "code", totp(secret, at=time.time() + 30))
    go(driver, By.CSS_SELECTOR, "form[action='/signin'] button")


def sign_out(driver):
    driver.delete_all_cookies()


def save(driver):
    go(driver, By.CSS_SELECTOR, "form[method=post] button[type=submit]")


def tick(driver, label):
    driver.find_element(By.XPATH, f"//label[normalize-space()='{label}']").click()


driver = browser()
try:
    driver.set_window_size(1280, 900)
    director = "direction@hopital-pontoise.test"
    director_key = enrol(driver, link, "staff-welcome")
    sign_in(driver, director, director_key)
    check(driver.current_url.endswith("/staff"), "the director did not land on /staff: " + text(driver)[:300])

    # 2. The organisation.
    driver.get(base + "/admin/organisation")
    go(driver, By.LINK_TEXT, "Nouveau site")
    fill(driver, "name", "Hôpital de Pontoise")
    fill(driver, "slug", "pontoise")
    fill(driver, "city", "Pontoise")
    fill(driver, "address", "6 avenue de l'Île-de-France, 95300 Pontoise")
    fill(driver, "phone", "01 99 00 00 95")
    save(driver)
    check("Hôpital de Pontoise" in text(driver), "the site is not listed: " + text(driver)[:300])
    for name, code, referral in [("Cardiologie", "cardiologie", True), ("Médecine générale", "medecine-generale", False)]:
        go(driver, By.LINK_TEXT, "Nouveau service")
        fill(driver, "name", name)
        fill(driver, "specialty", code)
        if not referral:
            driver.find_element(By.ID, "referral").click()
        save(driver)
    check("Cardiologie" in text(driver) and "Médecine générale" in text(driver), "the departments are not listed")
    for first, last, specialty, department in [("Anne", "Roux", "cardiologie", "Cardiologie"), ("Paul", "Girard", "medecine-generale", "Médecine générale"),
                                               ("Léa", "Petit", "medecine-generale", "Médecine générale")]:
        go(driver, By.LINK_TEXT, "Nouveau praticien")
        fill(driver, "firstName", first)
        fill(driver, "lastName", last)
        fill(driver, "profession", "Médecin")
        fill(driver, "specialty", specialty)
        tick(driver, department)
        if last == "Roux":
            fill(driver, "rpps", "123")
            save(driver)
            check("11 chiffres" in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text, "a wrong RPPS is not explained")
            check(driver.find_element(By.ID, "lastName").get_attribute("value") == "Roux", "the typed name was lost")
            driver.save_screenshot(f"{shots}/admin-practitioner-error.png")
            fill(driver, "rpps", "10101010101")
        save(driver)
    go(driver, By.LINK_TEXT, "Nouvelle salle ou nouvel équipement")
    fill(driver, "name", "Salle d'échographie")
    save(driver)
    driver.save_screenshot(f"{shots}/admin-organisation.png")

    for department, motive, patients, referral in [("Cardiologie", "Première consultation de cardiologie", "new", True),
                                                   ("Médecine générale", "Consultation de médecine générale", "both", False)]:
        driver.get(base + "/admin/organisation")
        go(driver, By.XPATH, f"//li[a[normalize-space()='{department}']]/a[normalize-space()='Nouveau motif']")
        fill(driver, "name", motive)
        Select(driver.find_element(By.ID, "patients")).select_by_value(patients)
        if referral:
            tick(driver, "adressé par un médecin")
        save(driver)
        check("/admin/motives/" in driver.current_url, "the motive was not created: " + text(driver)[:300])

    # Weekly templates: every practitioner opens Monday, Tuesday and Thursday mornings to every channel.
    driver.get(base + "/admin")
    for department in ["Cardiologie", "Médecine générale"]:
        driver.get(base + "/admin")
        go(driver, By.XPATH, f"//section[h2[starts-with(., '{department}')]]//a[contains(., 'Semaines types')]")
        templates = driver.current_url
        for index in range(len(driver.find_elements(By.LINK_TEXT, "Nouvelle semaine type"))):
            driver.get(templates)
            driver.find_elements(By.LINK_TEXT, "Nouvelle semaine type")[index].click()
            for fieldset, day in zip(driver.find_elements(By.XPATH, "//fieldset[legend[normalize-space()='Nouvelle plage']]"), ["lundi", "mardi", "jeudi"]):
                Select(fieldset.find_element(By.CSS_SELECTOR, "select[name$='-weekday']")).select_by_visible_text(day)
                for name, value in [("-start", "09:00"), ("-end", "12:00")]:
                    driver.execute_script("arguments[0].value = arguments[1]", fieldset.find_element(By.CSS_SELECTOR, f"input[name$='{name}']"), value)
                for channel in ["online", "phone", "desk", "referral"]:
                    box = fieldset.find_element(By.CSS_SELECTOR, f"input[name$='-ch-{channel}']")
                    if not box.is_selected():
                        box.click()
            go(driver, By.CSS_SELECTOR, "button[value=save]")
            check("enregistr" in text(driver).lower() or "Semaines types" in text(driver) or "Semaine type" in text(driver),
                  "the template was not saved: " + text(driver)[:300])

    # 3. A secretary and a referring doctor, invited and enrolled.
    driver.get(base + "/admin/staff")
    fill(driver, "invite-name", "Nadia Benali")
    fill(driver, "invite-email", "nadia@hopital-pontoise.test")
    Select(driver.find_element(By.ID, "invite-role")).select_by_value("secretary")
    Select(driver.find_element(By.ID, "invite-scope")).select_by_visible_text("Hôpital de Pontoise")
    go(driver, By.CSS_SELECTOR, "form[action='/admin/staff/invite'] button")
    fill(driver, "doctorFirstName", "Jean")
    fill(driver, "doctorLastName", "Dupont")
    fill(driver, "doctorRpps", "10000000001")
    fill(driver, "doctorCity", "Cergy")
    fill(driver, "doctorPostalCode", "95000")
    fill(driver, "doctorEmail", "dr.dupont@cabinet-cergy.test")
    go(driver, By.CSS_SELECTOR, "form[action='/admin/staff/invite-doctor'] button")
    check("Nadia Benali" in text(driver), "the secretary is not listed: " + text(driver)[:300])
    driver.save_screenshot(f"{shots}/admin-staff.png")
    sign_out(driver)
    secretary_key = enrol(driver, base + "/staff/welcome?token=" + newest_mail("nadia@hopital-pontoise.test", r"token=([A-Za-z0-9_-]+)"))
    doctor_key = enrol(driver, base + "/staff/welcome?token=" + newest_mail("dr.dupont@cabinet-cergy.test", r"token=([A-Za-z0-9_-]+)"))

    # 4. A patient signs up, confirms, signs in with the emailed code, books a GP.
    driver.get(base + "/signin")
    go(driver, By.LINK_TEXT, "En créer un")
    fill(driver, "firstName", "Camille")
    fill(driver, "lastName", "Lambert")
    driver.execute_script("document.getElementById('birthDate').value = '1985-06-15'")
    fill(driver, "email", "camille.lambert@example.org")
    fill(driver, "password", PASSWORD)
    driver.save_screenshot(f"{shots}/signup.png")
    go(driver, By.CSS_SELECTOR, "form[action='/account/signup'] button")
    check("Consultez vos e-mails" in text(driver), "sign-up did not answer: " + text(driver)[:300])
    driver.get(base + "/account/verify?token=" + newest_mail("camille.lambert@example.org", r"verify\?token=([A-Za-z0-9_-]+)"))
    go(driver, By.CSS_SELECTOR, "form[action='/account/verify'] button")
    driver.get(base + "/signin")
    fill(driver, "email", "camille.lambert@example.org")
    fill(driver, "password", PASSWORD)
    go(driver, By.CSS_SELECTOR, "form[action='/signin'] button")
    fill(driver, "code", newest_mail("camille.lambert@example.org", r"(\d{6})"))
    go(driver, By.CSS_SELECTOR, "form[action='/signin/code'] button")
    check(driver.current_url.endswith("/account"), "the patient is not on her account: " + text(driver)[:300])
    driver.get(base + "/search?q=medecine+generale+pontoise")
    go(driver, By.CSS_SELECTOR, "article.card h2 a")
    go(driver, By.PARTIAL_LINK_TEXT, "Semaine suivante")
    go(driver, By.CSS_SELECTOR, "form.slot button")
    go(driver, By.CSS_SELECTOR, "button[value=book]")
    check("Votre rendez-vous est confirmé" in text(driver), "the GP booking failed: " + text(driver)[:400])
    sign_out(driver)

    # 5. The referring doctor books a cardiologist's referral slot on the portal.
    sign_in(driver, "dr.dupont@cabinet-cergy.test", doctor_key)
    check(driver.current_url.endswith("/referrals"), "the doctor did not land on the portal: " + text(driver)[:300])
    Select(driver.find_element(By.ID, "specialty")).select_by_value("cardiologie")
    go(driver, By.CSS_SELECTOR, "form[action='/referrals'] button")
    driver.save_screenshot(f"{shots}/referrals.png")
    go(driver, By.CSS_SELECTOR, "form[action='/referrals/hold'] button")
    fill(driver, "firstName", "Hugo")
    fill(driver, "lastName", "Moreau")
    driver.execute_script("document.getElementById('birthDate').value = '1961-02-03'")
    fill(driver, "phone", "06 11 22 33 44")
    fill(driver, "note", "Souffle systolique à explorer.")
    go(driver, By.CSS_SELECTOR, "button[value=book]")
    check("adressage est réservé" in text(driver), "the referral was not booked: " + text(driver)[:400])
    check("Première consultation de cardiologie" in text(driver), "the referral is not listed")
    sign_out(driver)

    # 6. The secretary finds both on the agenda.
    sign_in(driver, "nadia@hopital-pontoise.test", secretary_key)
    check(driver.current_url.endswith("/staff"), "the secretary did not land on /staff: " + text(driver)[:300])
    found = {"LAMBERT Camille": False, "MOREAU Hugo": False}
    for department in ["Cardiologie", "Médecine générale"]:
        driver.get(base + "/staff")
        go(driver, By.LINK_TEXT, department)
        for _ in range(12):
            here = [name for name in found if name in text(driver)]
            if here:
                for name in here:
                    found[name] = True
                driver.save_screenshot(f"{shots}/setup-agenda-{'referral' if department == 'Cardiologie' else 'patient'}.png")
                break
            go(driver, By.PARTIAL_LINK_TEXT, "Lendemain")
    check(all(found.values()), f"the secretary does not find both patients on the agenda: {found}")
    print("ok: a hospital set up from an empty database; patient, referring doctor and secretary all work")
finally:
    driver.quit()
