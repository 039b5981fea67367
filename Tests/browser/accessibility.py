#!/usr/bin/env python3
"""axe-core on the key pages, in a real browser (Debian's chromium, Selenium).

  accessibility.py BASE_URL SCREENSHOT_DIR AXE_JS

Runs axe (WCAG 2.0/2.1 A and AA rules) on the home page, a search, a practitioner's
page, the booking form, the sign-in page, a patient's account, a secretary's agenda, the
administration pages and the statistics,
in French and on a phone-sized window; fails on any serious or critical violation,
listing them.
"""
import sys

from selenium.webdriver.common.by import By

from common import ADMIN_KEY, SANDRINE_KEY, browser, check, fill, go, sign_in_staff, totp

base, shots, axe_path = sys.argv[1], sys.argv[2], sys.argv[3]
with open(axe_path, encoding="utf-8") as f:
    axe = f.read()


def audit(driver, name):
    driver.execute_script(axe)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    check(not bad, f"{name}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in bad))
    return len(result)


driver = browser()
driver.set_script_timeout(30)
audited = []
try:
    # First, a page known to be wrong (no language, an image without text, an unlabelled
    # field): axe must see it, or a green run below would mean nothing.
    driver.get("data:text/html,<html><body><img src='x.png'><input type='text'></body></html>")
    try:
        audit(driver, "canary")
        raise SystemExit("axe found nothing on a page built to fail: the audit is not running")
    except AssertionError:
        pass
    driver.get(base + "/")
    audited.append(("home", audit(driver, "home")))
    go(driver, By.LINK_TEXT, "Cardiologie")
    audited.append(("search", audit(driver, "search")))
    go(driver, By.CSS_SELECTOR, "article.card h2 a")
    audited.append(("practitioner", audit(driver, "practitioner")))
    go(driver, By.CSS_SELECTOR, "form.slot button")
    audited.append(("booking form", audit(driver, "booking form")))
    driver.get(base + "/signin")
    audited.append(("sign-in", audit(driver, "sign-in")))
    go(driver, By.LINK_TEXT, "En créer un")
    audited.append(("sign-up", audit(driver, "sign-up")))
    driver.get(base + "/nowhere")
    audited.append(("error page", audit(driver, "error page")))
    driver.get(base + "/signin")
    fill(driver, "email", "sandrine.leroy@avoine.demo")
    fill(driver, "password", "avoine-demo-2026")
    fill(driver, "code", totp(SANDRINE_KEY))
    go(driver, By.CSS_SELECTOR, "form[action='/signin'] button")
    audited.append(("staff home", audit(driver, "staff home")))
    go(driver, By.LINK_TEXT, "Cardiologie")
    audited.append(("agenda", audit(driver, "agenda")))
    agenda = driver.current_url
    go(driver, By.LINK_TEXT, "Ajouter une ouverture")
    audited.append(("extra opening", audit(driver, "extra opening")))
    driver.get(agenda)
    go(driver, By.LINK_TEXT, "Semaine")
    audited.append(("week", audit(driver, "week")))
    go(driver, By.XPATH, "//table[contains(@class,'week')]//th//a")
    audited.append(("practitioner's week", audit(driver, "practitioner's week")))
    driver.delete_all_cookies()
    sign_in_staff(driver, base, "admin@avoine.demo", ADMIN_KEY)
    go(driver, By.PARTIAL_LINK_TEXT, "Paramétrage")
    audited.append(("admin", audit(driver, "admin")))
    go(driver, By.XPATH, "//section[h2[starts-with(., 'Médecine générale')]]//a[contains(., 'Semaines types')]")
    audited.append(("weekly templates", audit(driver, "weekly templates")))
    go(driver, By.XPATH, "//section[h2[contains(., 'Morel')]]//li/a")
    audited.append(("weekly template", audit(driver, "weekly template")))
    driver.get(base + "/admin/organisation")
    audited.append(("organisation", audit(driver, "organisation")))
    go(driver, By.LINK_TEXT, "Nouveau praticien")
    audited.append(("practitioner form", audit(driver, "practitioner form")))
    driver.get(base + "/admin/staff")
    audited.append(("staff and access", audit(driver, "staff and access")))
    driver.get(base + "/admin/import")
    audited.append(("import", audit(driver, "import")))
    driver.get(base + "/staff/duplicates")
    audited.append(("duplicates", audit(driver, "duplicates")))
    driver.get(base + "/admin/statistics")
    audited.append(("statistics", audit(driver, "statistics")))
    go(driver, By.XPATH, "//section[@aria-labelledby='breakdown-heading']//tbody/tr[1]/th/a")
    audited.append(("a site's statistics", audit(driver, "a site's statistics")))
finally:
    driver.quit()
print("ok " + ", ".join(f"{name}: {count} minor" for name, count in audited))
