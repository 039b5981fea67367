#!/usr/bin/env python3
"""The waiting room as a patient on a phone sees it, in a real browser.

  waiting_room.py BASE_URL SCREENSHOT_DIR AXE_JS

The server runs with the waiting room on and one place on the search path; a few programs search
at once, so people wait. Then a patient opens the search: the waiting page (their place, an
estimate, no JavaScript) passes axe; the crowd stops; the page refreshes itself and the same tab
lands on the search results without anyone touching it, with a pass.
"""
import sys
import threading
import time
import urllib.error
import urllib.request

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from common import browser, check, text

base, shots, axe_path = sys.argv[1], sys.argv[2], sys.argv[3]
with open(axe_path, encoding="utf-8") as f:
    axe = f.read()
SEARCH = "/search?q=cardiologie"

# A crowd searching at once (no cookies: each refusal is a newcomer sent to the line).
stop, refused = threading.Event(), []


def crowd():
    while not stop.is_set():
        try:
            with urllib.request.urlopen(urllib.request.Request(base + SEARCH, headers={"Accept": "text/html"}), timeout=30) as response:
                response.read()
        except urllib.error.HTTPError as error:
            refused.append(error.code)


threads = [threading.Thread(target=crowd) for _ in range(6)]
for thread in threads:
    thread.start()
deadline = time.time() + 60
while not refused and time.time() < deadline:
    time.sleep(0.05)

driver = browser()
driver.set_script_timeout(30)
try:
    check(503 in refused, f"the crowd was never sent to the waiting room: {refused[:5]}")
    driver.get(base + SEARCH)
    stop.set()
    for thread in threads:
        thread.join()
    page = text(driver)
    check("Votre place dans la file" in page, f"no waiting page: {page[:300]}")
    # The refresh is the HTTP Refresh header; the first link stops it (WCAG 2.2.1).
    check(driver.find_element(By.CSS_SELECTOR, "main a").get_attribute("href").endswith("waiting=manual"),
          "the first link does not stop the refresh")
    check(driver.execute_script("return document.scripts.length") == 0, "the waiting page runs scripts")
    driver.save_screenshot(f"{shots}/waiting-room.png")
    driver.execute_script(axe)
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.help)))"
        ".catch(e => done(['axe-error: ' + e]));")
    check(not violations, f"axe on the waiting page: {violations}")
    # Nobody touches the tab: the crowd is gone, the page refreshes, the patient is let in.
    def current():
        # One script call reads the page (finding the body, then reading it, raced the page's own
        # reloads under load); a call made mid-navigation is simply made again.
        for _ in range(100):
            try:
                return driver.execute_script("return document.body ? document.body.innerText : ''") or ""
            except WebDriverException:
                time.sleep(0.1)
        return ""

    deadline = time.time() + 60
    while time.time() < deadline and "Votre place dans la file" in current():
        time.sleep(0.5)
    page = current()
    check("Votre place dans la file" not in page and "Cardiologie" in page, f"not let in after a minute: {page[:300]}")
    check(driver.get_cookie("creneau_pass") is not None, "no pass after being let in")
    driver.save_screenshot(f"{shots}/waiting-room-let-in.png")
    # Someone who stops the refresh keeps their place, and checks by hand.
    print("ok the waiting page (place, estimate, no script, axe clean, a link to stop the refresh) refreshed itself and let the patient in")
finally:
    stop.set()
    driver.quit()
