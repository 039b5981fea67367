#!/usr/bin/env python3
"""A site administrator changes a weekly template in a real browser (chromium, Selenium).

  admin_template.py BASE_URL SCREENSHOT_DIR

Against the demo server: the administrator of the Avoine health centre signs in with her
password and authenticator code, opens Dr Morel's weekly template from the admin pages,
adds a Saturday morning kept for the phone and opened online the evening before, first
with an end before its start (refused in French, the typed values kept, nothing saved),
then right; previews the week (the Saturday shows, with when it opens online), saves,
and finds it saved. Exits non-zero on the first failure.
"""
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from common import ADMIN_KEY, browser, check, fill, go, sign_in_staff, text
base, shots = sys.argv[1], sys.argv[2]


def new_range(driver):
    return driver.find_element(By.XPATH, "//fieldset[legend[normalize-space()='Nouvelle plage']]")


def set_value(driver, element, value):
    # Time fields' typing order follows the machine's locale, not the page's: set the value.
    driver.execute_script("arguments[0].value = arguments[1]", element, value)


driver = browser()
try:
    driver.set_window_size(1280, 900)
    sign_in_staff(driver, base, "admin@avoine.demo", ADMIN_KEY)
    check(driver.current_url.endswith("/staff"), "the administrator did not land on /staff: " + text(driver)[:300])
    go(driver, By.PARTIAL_LINK_TEXT, "Paramétrage")
    go(driver, By.XPATH, "//section[h2[starts-with(., 'Médecine générale')]]//a[contains(., 'Semaines types')]")
    check("Dr Paul Morel" in text(driver), "Dr Morel is not listed among general practice's templates")
    go(driver, By.XPATH, "//section[h2[contains(., 'Morel')]]//li/a")
    check("Semaine type — Dr Paul Morel" in text(driver), "the template page did not open: " + text(driver)[:300])
    check("La semaine du" in text(driver), "the stored template's week is not previewed")
    url = driver.current_url.split("?")[0]

    # A Saturday morning for the phone, opened online the evening before — first with its times backwards.
    fieldset = new_range(driver)
    Select(fieldset.find_element(By.CSS_SELECTOR, "select[name$='-weekday']")).select_by_visible_text("samedi")
    set_value(driver, fieldset.find_element(By.CSS_SELECTOR, "input[name$='-start']"), "12:00")
    set_value(driver, fieldset.find_element(By.CSS_SELECTOR, "input[name$='-end']"), "09:00")
    fieldset.find_element(By.CSS_SELECTOR, "input[name$='-ch-phone']").click()
    fieldset.find_element(By.CSS_SELECTOR, "input[name$='-rel-online']").click()
    fill(driver, fieldset.find_element(By.CSS_SELECTOR, "input[name$='-rel-days']").get_attribute("id"), "1")
    set_value(driver, fieldset.find_element(By.CSS_SELECTOR, "input[name$='-rel-at']"), "18:00")
    go(driver, By.CSS_SELECTOR, "button[value=preview]")
    alert = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    check("sa fin après son début" in alert, "the backwards range is not explained: " + alert)
    invalid = driver.find_element(By.CSS_SELECTOR, "fieldset.invalid")
    check(invalid.find_element(By.CSS_SELECTOR, "input[name$='-start']").get_attribute("value") == "12:00", "the typed start was lost")
    check(invalid.find_element(By.CSS_SELECTOR, "input[name$='-rel-online']").is_selected(), "the ticked release was lost")
    driver.save_screenshot(f"{shots}/admin-template-error.png")

    # Put right, previewed, saved.
    set_value(driver, invalid.find_element(By.CSS_SELECTOR, "input[name$='-start']"), "09:00")
    set_value(driver, invalid.find_element(By.CSS_SELECTOR, "input[name$='-end']"), "12:00")
    go(driver, By.CSS_SELECTOR, "button[value=preview]")
    rows = [row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.agenda tbody tr")]
    saturday = next((row for row in rows if row.startswith("samedi")), "")
    check("09:00–12:00 · téléphone" in saturday, "the Saturday range is not in the preview: " + saturday)
    check("s'ouvre à en ligne : ven." in saturday and "18:00" in saturday, "the preview does not say when Saturday opens online: " + saturday)
    check("par téléphone" in saturday and "0 en ligne" in saturday, "the preview's Saturday slots are not counted: " + saturday)
    driver.save_screenshot(f"{shots}/admin-template-preview.png")
    go(driver, By.CSS_SELECTOR, "button[value=save]")
    check("Semaine type enregistrée" in text(driver), "saving did not say so: " + text(driver)[:300])
    check(driver.current_url.startswith(url), "saving did not come back to the template")
    check(any("09:00–12:00 · téléphone" in row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.agenda tbody tr") if row.text.startswith("samedi")),
          "the saved template has no Saturday")
    driver.set_window_size(412, 915)
    driver.save_screenshot(f"{shots}/admin-template-phone.png")
finally:
    driver.quit()
print("ok")
