#!/usr/bin/env python3
"""The waiting room as a patient on a phone sees it, in a real browser.

  waiting_room.py BASE_URL SCREENSHOT_DIR AXE_JS

The server runs with the waiting room on and a latency bound of 10 ms, so a few searches make
the path "slow". Then a patient opens the search: the waiting page (their place, an estimate,
no JavaScript) passes axe; the page refreshes itself; once the path has been quiet for a moment,
the same tab lands on the search results without anyone touching it.
"""
import sys
import time
import urllib.error
import urllib.request

from selenium.webdriver.common.by import By

from common import browser, check, text

base, shots, axe_path = sys.argv[1], sys.argv[2], sys.argv[3]
with open(axe_path, encoding="utf-8") as f:
    axe = f.read()
SEARCH = "/search?q=cardiologie"

# Searches until the path counts as slow (smoothed time over the 10 ms bound): a newcomer waits.
waiting = False
for _ in range(400):
    try:
        with urllib.request.urlopen(urllib.request.Request(base + SEARCH, headers={"Accept": "text/html"}), timeout=30) as response:
            response.read()
    except urllib.error.HTTPError as error:
        if error.code == 503:
            waiting = True
            break
        raise
check(waiting, "the search never sent anyone to the waiting room")

driver = browser()
driver.set_script_timeout(30)
try:
    driver.get(base + SEARCH)
    page = text(driver)
    check("Votre place dans la file" in page, f"no waiting page: {page[:300]}")
    check(driver.find_element(By.CSS_SELECTOR, "meta[http-equiv='refresh']") is not None, "the page does not refresh itself")
    check(driver.execute_script("return document.scripts.length") == 0, "the waiting page runs scripts")
    driver.save_screenshot(f"{shots}/waiting-room.png")
    driver.execute_script(axe)
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.help)))"
        ".catch(e => done(['axe-error: ' + e]));")
    check(not violations, f"axe on the waiting page: {violations}")
    # Nobody touches the tab: the path grows quiet, the page refreshes, the patient is let in.
    deadline = time.time() + 60
    while time.time() < deadline and "Votre place dans la file" in text(driver):
        time.sleep(0.5)
    page = text(driver)
    check("Votre place dans la file" not in page and "Cardiologie" in page, f"not let in after a minute: {page[:300]}")
    check(driver.get_cookie("creneau_pass") is not None, "no pass after being let in")
    driver.save_screenshot(f"{shots}/waiting-room-let-in.png")
    print("ok the waiting page (place, estimate, no script, axe clean) refreshed itself and let the patient in")
finally:
    driver.quit()
