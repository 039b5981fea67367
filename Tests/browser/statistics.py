#!/usr/bin/env python3
"""Scenario 12, management's monthly view, in a real browser (chromium, Selenium).

  statistics.py BASE_URL SCREENSHOT_DIR

Against the demo server: the group's director signs in with her password and authenticator
code, opens the statistics from the administration home, and finds the share of bookings made
online per hospital (a chart with its title, summary and table), no-shows by booking channel and
for new vs known patients, the delay to the third next available slot per specialty with its
trend, and the survey score; drills down to the health centre, then to a department; downloads
the CSV (UTF-8 with a byte order mark, semicolons); asks for a period that ends before it begins
and is told so in French, the typed values kept. Exits non-zero on the first failure.
"""
import sys
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from common import DIRECTION_KEY, browser, check, fill, go, sign_in_staff, text
base, shots = sys.argv[1], sys.argv[2]

driver = browser()
try:
    driver.set_window_size(1280, 1000)
    sign_in_staff(driver, base, "direction@avoine.demo", DIRECTION_KEY)
    driver.get(base + "/admin")
    go(driver, By.LINK_TEXT, "Statistiques")
    check(driver.current_url.split("?")[0].endswith("/admin/statistics"), "the statistics link did not open the dashboard: " + driver.current_url)
    # The server counts the demo's history in the background after it starts: wait for it (bounded).
    deadline = time.time() + 60
    while "Aucune donnée sur cette période" in text(driver) and time.time() < deadline:
        time.sleep(1)
        driver.refresh()
    page = text(driver)
    check("Aucune donnée" not in page, "the demo's history was not counted within a minute")
    for words in ["Rendez-vous pris", "Part prise en ligne", "Rendez-vous non honorés", "Satisfaction", "Délai du 3e créneau disponible",
                  "Part prise en ligne par hôpital", "Rendez-vous non honorés selon le canal de prise", "Rendez-vous non honorés : nouveaux et connus",
                  "Délai moyen du 3e créneau disponible par spécialité", "Évolution du délai du 3e créneau disponible"]:
        check(words in page, f"the dashboard does not show “{words}”")
    charts = driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    check(len(charts) >= 5, f"expected the charts drawn as SVG, found {len(charts)}")
    for chart in charts:
        check(chart.find_element(By.TAG_NAME, "title").get_attribute("textContent").strip() != "", "a chart has no title")
        check(chart.find_element(By.TAG_NAME, "desc").get_attribute("textContent").strip() != "", "a chart has no text summary")
    check(len(driver.find_elements(By.CSS_SELECTOR, "table.stats caption")) >= 4, "the charts' data tables are missing")
    # The online share of the centre's bookings, on the figures and per hospital.
    figures = {d.find_element(By.TAG_NAME, "dt").text: d.find_element(By.TAG_NAME, "dd").text
               for d in driver.find_elements(By.CSS_SELECTOR, "dl.figures div")}
    check(figures.get("Part prise en ligne", "—").endswith("%"), f"no online share in the figures: {figures}")
    check(figures.get("Rendez-vous non honorés", "—").endswith("%"), f"no no-show rate: {figures}")
    check("/ 10" in figures.get("Satisfaction", "") and "NPS" in figures.get("Satisfaction", ""), f"no survey score: {figures}")
    driver.save_screenshot(f"{shots}/statistics-group.png")
    driver.execute_script("document.getElementById('channels-heading').scrollIntoView()")
    driver.save_screenshot(f"{shots}/statistics-noshows.png")
    driver.execute_script("document.getElementById('access-heading').scrollIntoView()")
    driver.save_screenshot(f"{shots}/statistics-access.png")

    # The CSV of the breakdown, with the browser's session.
    link = driver.find_element(By.XPATH, "//section[@aria-labelledby='breakdown-heading']//caption/a").get_attribute("href")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(link, headers={"Cookie": cookie}), timeout=30) as response:
        check(response.headers.get("Content-Type", "").startswith("text/csv"), "the CSV is not served as text/csv")
        body = response.read()
    check(body.startswith(b"\xef\xbb\xbf"), "the CSV has no byte order mark (Excel would garble accents)")
    lines = body.decode("utf-8-sig").split("\r\n")
    check(lines[0].startswith("Nom;Identifiant;Rendez-vous pris;Pris en ligne;Part en ligne (%)"), "unexpected CSV header: " + lines[0])
    check(len(lines) > 2, "the CSV has no line")

    # Drill down: the health centre, then general practice.
    go(driver, By.XPATH, "//section[@aria-labelledby='breakdown-heading']//tbody/tr[1]/th/a")
    check("Part prise en ligne par service" in text(driver), "the site's page does not compare its departments")
    driver.save_screenshot(f"{shots}/statistics-site.png")
    go(driver, By.XPATH, "//section[@aria-labelledby='breakdown-heading']//tbody/tr/th/a[starts-with(normalize-space(), 'Médecine générale')]")
    page = text(driver)
    check("Part prise en ligne par praticien" in page and "Par motif" in page, "the department's page lacks its practitioners or motives")
    crumbs = driver.find_element(By.CSS_SELECTOR, "nav.crumbs").text
    check("Médecine générale" in crumbs, "the breadcrumbs do not say where we are: " + crumbs)
    driver.save_screenshot(f"{shots}/statistics-department.png")

    # By week, then a period backwards: refused in French, the typed values kept.
    Select(driver.find_element(By.ID, "grain")).select_by_value("week")
    fill(driver, "from", "")
    fill(driver, "to", "")
    go(driver, By.CSS_SELECTOR, "form.filters button")
    check("semaine" in driver.find_element(By.ID, "trend-heading").text, "the weekly view did not show")
    Select(driver.find_element(By.ID, "grain")).select_by_value("month")
    fill(driver, "from", "2026-11")
    fill(driver, "to", "2026-03")
    go(driver, By.CSS_SELECTOR, "form.filters button")
    alert = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    check("se termine avant de commencer" in alert, "the backwards period is not explained: " + alert)
    check(driver.find_element(By.ID, "from").get_attribute("value") == "2026-11", "the typed start was lost")
    driver.save_screenshot(f"{shots}/statistics-error.png")
    print("ok: statistics — online share per hospital and department, no-shows by channel and new/known, third next available, survey, CSV, drill-down")
finally:
    driver.quit()
