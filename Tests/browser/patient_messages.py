#!/usr/bin/env python3
"""Messages as patients receive them, against the real server (`serve --demo`), which writes its
emails as .eml files (DATA/mail) and its SMS as text files (DATA/sms) when no relay or gateway is
set. Each part checks what a real mail parser (Python's email) and calendar parser (icalendar) read.

  patient_messages.py confirmation BASE SHOTS DATA   scenario 1: a booking is confirmed at once by
        email with an .ics invitation and by SMS; the SMS link opens the appointment without an
        account; cancelling from it sends the receipt.
  patient_messages.py phone BASE SHOTS DATA          scenario 4: a secretary books by phone for a
        caller with a mobile and no email; the SMS arrives with a link that cancels in the browser.
  patient_messages.py absence BASE SHOTS DATA        scenario 9: the secretary enters an absence for
        a day, cancels the appointments it hits with a reason; every patient is told (or listed to call).
  patient_messages.py survey BASE SHOTS URL          the survey from its link: a score and a comment, once.
Exits non-zero on the first failure; prints "ok" at the end.
"""
import datetime
import email
import email.policy
import json
import os
import sys
import time
import urllib.request
import uuid

from icalendar import Calendar
from selenium.webdriver.common.by import By

from common import SANDRINE_KEY, browser, check, fill, first_slot_from_home, go, patient_details, sign_in_staff, text, totp

mode, base, shots = sys.argv[1], sys.argv[2], sys.argv[3]


def wait_for(folder, suffix, predicate, seconds=30):
    """The first file in FOLDER ending with SUFFIX whose content satisfies PREDICATE (the server sends every half second)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                if name.endswith(suffix):
                    with open(os.path.join(folder, name), "rb") as f:
                        content = f.read()
                    if predicate(content):
                        return content
        time.sleep(0.25)
    raise AssertionError(f"nothing in {folder} after {seconds} s")


def parsed_email(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def sms_link(raw):
    words = raw.decode("utf-8")
    start = words.find("http")
    check(start >= 0, "the SMS carries no link: " + words)
    return words[start:].split()[0]


def api(path, body=None, token=None, method=None):
    request = urllib.request.Request(base + path, method=method or ("POST" if body is not None else "GET"))
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if path == "/api/v1/appointments" and body is not None:
        request.add_header("Idempotency-Key", str(uuid.uuid4()))
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(request, data) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


driver = browser()
try:
    if mode == "confirmation":
        data = sys.argv[4]
        first_slot_from_home(driver, base, shots)
        patient_details(driver)
        fill(driver, "phone", "06 55 44 33 22")
        fill(driver, "doctorQuery", "dupont")
        go(driver, By.CSS_SELECTOR, "button[value=search_doctor]")
        driver.find_element(By.CSS_SELECTOR, "input[name=referringDoctor]").click()
        go(driver, By.CSS_SELECTOR, "button[value=book]")
        check("Votre rendez-vous est confirmé" in text(driver), "no confirmation: " + text(driver)[:300])

        raw = wait_for(os.path.join(data, "mail"), ".eml", lambda c: b"camille.navarro@example.org" in c and b"confirm" in parsed_email(c)["subject"].encode())
        message = parsed_email(raw)
        check(message["subject"].startswith("Rendez-vous confirmé le "), "subject: " + message["subject"])
        check(not message.defects, f"the email has defects: {message.defects}")
        body = message.get_body(preferencelist=("plain",)).get_content()
        check("Un empêchement ?" in body and "token=v1." in body, "the confirmation carries no cancel/move link: " + body[:500])
        check(message.get_body(preferencelist=("html",)) is not None, "no HTML version")
        invitation = next(part for part in message.iter_attachments() if part.get_content_type() == "text/calendar")
        check(invitation.get_param("method") == "REQUEST", "the invitation is not METHOD=REQUEST")
        calendar = Calendar.from_ical(invitation.get_content())
        check(str(calendar["METHOD"]) == "REQUEST", "the calendar's METHOD is not REQUEST")
        event = next(c for c in calendar.walk() if c.name == "VEVENT")
        check(str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 0, "the event is not a confirmed first version")
        check("Palpitations" not in invitation.get_content(), "the invitation carries the reason the patient typed")

        sms = wait_for(os.path.join(data, "sms"), ".txt", lambda c: b"+33655443322" in c and "RDV confirmé".encode() in c)
        link = sms_link(sms)
        driver.delete_all_cookies()
        driver.get(link)
        check("/appointments/" in driver.current_url and "annuler" in text(driver).lower(), "the SMS link does not open the appointment: " + text(driver)[:300])
        driver.save_screenshot(f"{shots}/sms-link-phone.png")
        fill(driver, "reason", "Empêchement")
        go(driver, By.CSS_SELECTOR, "form[action$=cancel] button")
        check("Ce rendez-vous est annulé" in text(driver), "cancelling from the SMS link did not work: " + text(driver)[:300])
        receipt = parsed_email(wait_for(os.path.join(data, "mail"), ".eml",
                                        lambda c: b"camille.navarro@example.org" in c and "annulé" in parsed_email(c)["subject"]))
        cancel = next(part for part in receipt.iter_attachments() if part.get_content_type() == "text/calendar")
        event = next(c for c in Calendar.from_ical(cancel.get_content()).walk() if c.name == "VEVENT")
        check(cancel.get_param("method") == "CANCEL" and str(event["STATUS"]) == "CANCELLED", "the receipt's invitation does not cancel the event")

    elif mode == "phone":
        data = sys.argv[4]
        status, signed = api("/api/v1/sessions", {"email": "sandrine.leroy@avoine.demo", "password": "avoine-demo-2026", "code": totp(SANDRINE_KEY)})
        check(status == 201 and signed.get("token"), f"the secretary could not sign in: {status} {signed}")
        token = signed["token"]
        _, doctors = api("/api/v1/referring-doctors?q=dupont")
        doctor = doctors["referringDoctors"][0]["id"]
        day = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
        booked = None
        _, listing = api("/api/v1/practitioners?limit=40")
        for practitioner in listing["practitioners"]:
            _, motives = api(f"/api/v1/practitioners/{practitioner['id']}/motives")
            for motive in motives.get("motives", []):
                _, slots = api(f"/api/v1/availability?practitioner={practitioner['id']}&motive={motive['id']}&from={day}&days=5&channel=phone", token=token)
                for slot in slots.get("slots", [])[:1]:
                    status, answer = api("/api/v1/appointments", {
                        "practitioner": practitioner["id"], "motive": motive["id"], "start": slot["start"], "channel": "phone", "referringDoctor": doctor,
                        "patient": {"firstName": "Marcel", "lastName": "Fournier", "birthDate": "1945-03-02", "phone": "06 98 76 54 32"}}, token=token)
                    if status == 201:
                        booked = answer
                        break
                if booked:
                    break
            if booked:
                break
        check(booked is not None, "the secretary could book no slot by phone")
        sms = wait_for(os.path.join(data, "sms"), ".txt", lambda c: b"+33698765432" in c and "RDV confirmé".encode() in c)
        mails = os.listdir(os.path.join(data, "mail")) if os.path.isdir(os.path.join(data, "mail")) else []
        check(not any(b"Fournier" in open(os.path.join(data, "mail", m), "rb").read() for m in mails), "an email went for a patient without one")
        driver.get(sms_link(sms))
        check(booked["id"] in driver.current_url, "the SMS link opens another page: " + driver.current_url)
        driver.save_screenshot(f"{shots}/phone-booking-sms-link-phone.png")
        fill(driver, "reason", "Je serai hospitalisé")
        go(driver, By.CSS_SELECTOR, "form[action$=cancel] button")
        check("Ce rendez-vous est annulé" in text(driver), "cancelling from the SMS link did not work: " + text(driver)[:300])
        wait_for(os.path.join(data, "sms"), ".txt", lambda c: b"+33698765432" in c and "Annulation enregistrée".encode() in c)

    elif mode == "absence":
        data = sys.argv[4]
        sign_in_staff(driver, base, "sandrine.leroy@avoine.demo", SANDRINE_KEY)
        # The busiest practitioner day a week from now on the secretary's first agenda.
        driver.get(base + "/staff")
        go(driver, By.CSS_SELECTOR, "main a[href*='/staff/agenda']")
        agenda_url = driver.current_url.split("&day=")[0]
        target = None
        for offset in range(7, 14):
            day = (datetime.date.today() + datetime.timedelta(days=offset)).isoformat()
            driver.get(f"{agenda_url}&day={day}")
            sections = driver.find_elements(By.CSS_SELECTOR, "main section")
            for section in sections:
                rows = section.find_elements(By.CSS_SELECTOR, "tbody tr.booked")
                if len(rows) >= 2:
                    target = (day, section.find_element(By.PARTIAL_LINK_TEXT, "absence").get_attribute("href"), len(rows))
                    break
            if target:
                break
        check(target is not None, "no practitioner with two booked appointments on a day of the coming week")
        day, absence_href, booked = target
        driver.get(absence_href)
        driver.execute_script(f"document.getElementById('from').value = '{day}T00:00'; document.getElementById('to').value = '{day}T23:59'")
        fill(driver, "reason", "Congrès")
        go(driver, By.CSS_SELECTOR, "button[value=preview]")
        go(driver, By.CSS_SELECTOR, "button[value=save]")
        check("Absence enregistrée" in text(driver), "the absence was not saved: " + text(driver)[:300])
        fill(driver, "patientReason", "Le Dr est appelé à un congrès")
        driver.save_screenshot(f"{shots}/absence-hits-phone.png")
        go(driver, By.CSS_SELECTOR, "form[action='/staff/absence/cancel'] button")
        page = text(driver)
        check("annulé(s)" in page, "the appointments were not cancelled: " + page[:400])
        driver.save_screenshot(f"{shots}/absence-cancelled-phone.png")
        told = page.count("Prévenu par message")
        to_call = page.count("à appeler")
        check(told + to_call >= booked and told >= 1, f"not every patient is told or listed: {told} told, {to_call} to call, {booked} booked")
        # Each one told has its message: the email (or the SMS) says the hospital cancelled and why.
        deadline = time.time() + 30
        count = 0
        while time.time() < deadline:
            count = 0
            for folder, suffix in [("mail", ".eml"), ("sms", ".txt")]:
                path = os.path.join(data, folder)
                for name in os.listdir(path) if os.path.isdir(path) else []:
                    # Only finished files: the server writes each to a temporary name, then renames it.
                    if not name.endswith(suffix):
                        continue
                    try:
                        raw = open(os.path.join(path, name), "rb").read()
                    except FileNotFoundError:
                        continue
                    if suffix == ".eml":
                        message = parsed_email(raw)
                        if "annulé votre rendez-vous" in (message["subject"] or "") and "congrès" in message.get_body(preferencelist=("plain",)).get_content():
                            count += 1
                    elif "congrès".encode() in raw:
                        count += 1
            if count >= told:
                break
            time.sleep(0.5)
        check(count >= told, f"{told} patients were to be told, {count} messages went")

    elif mode == "survey":
        url = sys.argv[4]
        driver.get(url)
        check("Recommanderiez-vous ce service" in text(driver), "the survey does not open: " + text(driver)[:300])
        driver.save_screenshot(f"{shots}/survey-phone.png")
        driver.find_element(By.CSS_SELECTOR, "input[name=score][value='9']").click()
        fill(driver, "comment", "Accueil très aimable, peu d'attente.")
        go(driver, By.CSS_SELECTOR, "form[action^='/survey/'] button")
        check("votre avis est enregistré" in text(driver), "the answer was not recorded: " + text(driver)[:300])
        driver.get(url)
        check("déjà donné votre avis" in text(driver), "a second answer is offered")
    else:
        raise AssertionError("unknown mode " + mode)
    print("ok " + mode)
finally:
    driver.quit()
