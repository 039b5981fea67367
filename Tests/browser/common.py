"""Helpers the browser scenarios share: a phone-sized headless chromium, waits, checks."""

from demo_keys import ADMIN_KEY, DIRECTION_KEY, SANDRINE_KEY, totp  # noqa: F401 (the scenarios import them from here)
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def browser(language="fr-FR"):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=412,915", f"--lang={language}"]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def go(driver, by, selector):
    """Clicks what leads to another page and waits for that page (bounded: 15 s)."""
    # A mark on the old page's window: gone once the browser shows the next page.
    driver.execute_script("window.creneauOldPage = true")
    driver.find_element(by, selector).click()

    def arrived(d):
        try:
            return d.execute_script("return window.creneauOldPage === undefined && document.readyState === 'complete'")
        except Exception:
            return False  # between two pages

    WebDriverWait(driver, 15).until(arrived)


def text(driver):
    return driver.find_element(By.TAG_NAME, "body").text


def fill(driver, field, value):
    element = driver.find_element(By.ID, field)
    element.clear()
    element.send_keys(value)


def first_slot_from_home(driver, base, shots):
    driver.get(base + "/")
    check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr", "the home page is not in French")
    driver.save_screenshot(f"{shots}/home-phone.png")
    go(driver, By.LINK_TEXT, "Cardiologie")
    check("/search" in driver.current_url, "the department link does not lead to the search")
    driver.save_screenshot(f"{shots}/search-phone.png")
    go(driver, By.CSS_SELECTOR, "article.card h2 a")
    check("/practitioners/" in driver.current_url, "the practitioner link does not lead to their page")
    driver.save_screenshot(f"{shots}/practitioner-phone.png")
    # Next week: far from any cancellation cut-off, whatever the time the test runs.
    go(driver, By.PARTIAL_LINK_TEXT, "Semaine suivante")
    go(driver, By.CSS_SELECTOR, "form.slot button")
    check("/book/" in driver.current_url, "choosing a slot does not open the booking form")


def patient_details(driver):
    fill(driver, "firstName", "Camille")
    fill(driver, "lastName", "Navarro")
    # The date picker's typing order follows the machine's locale, not the page's: set the value.
    driver.execute_script("arguments[0].value = '1988-05-14'", driver.find_element(By.ID, "birthDate"))
    fill(driver, "email", "camille.navarro@example.org")
    fill(driver, "reason", "Palpitations depuis deux semaines")


def sign_in_staff(driver, base, email, key):
    driver.get(base + "/signin")
    fill(driver, "email", email)
    fill(driver, "password", "avoine-demo-2026")
    fill(driver, "code", totp(key))
    go(driver, By.CSS_SELECTOR, "form[action='/signin'] button")
