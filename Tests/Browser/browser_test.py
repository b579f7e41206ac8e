#!/usr/bin/env python3
"""The web front end in a real headless Chromium, against a running loan-api.

Run by Tests/LoanAPITests/BrowserTests.swift (which starts the API on the real servers with an
in-process loan worker) through scripts/test.sh; it can also be pointed at any running API:

    .run/venv-browser/bin/python Tests/Browser/browser_test.py --base-url http://127.0.0.1:8080 \
        --samples samples.json --screenshots .build/screenshots

--samples is a JSON file {"approvable": {"request": ...}, "denied": {"request": ..., "reasons": [...]}}
(the Swift test writes it from LoanDomain's SampleRequests and decision rules). With
--worker-control DIR the script proves the live update: it waits until the page shows the loan
Pending, then creates DIR/need-worker; the test starts the loan worker only then, so the page
must turn Approved without a reload. Exit status 0 when every check passed; the last line counts them.
"""
import argparse
import base64
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
import uuid

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

# Selenium must never try to download a driver or report statistics: everything is local.
os.environ.setdefault("SE_AVOID_STATS", "true")
os.environ.setdefault("SE_OFFLINE", "true")


class Run:
    def __init__(self, args):
        self.args = args
        self.base = args.base_url.rstrip("/")
        self.samples = json.load(open(args.samples))
        self.shots = args.screenshots
        os.makedirs(self.shots, exist_ok=True)
        self.passed = 0
        self.prefix = "desktop"
        options = Options()
        options.binary_location = args.chromium
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--no-first-run", "--disable-background-networking", "--disable-sync",
                     "--disable-extensions", "--window-size=1280,900", "--lang=en-GB"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(executable_path=args.chromedriver))
        self.driver.set_script_timeout(30)

    # ---------------------------------------------------------------- helpers

    def ok(self, condition, message):
        if not condition:
            raise AssertionError(message)
        self.passed += 1
        print(f"ok {self.passed} - {message}", flush=True)

    def equal(self, actual, expected, message):
        self.ok(actual == expected, f"{message}" if actual == expected else f"{message}: got {actual!r}, expected {expected!r}")

    def wait(self, condition, message, timeout=20):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(lambda d: condition())
        except TimeoutException:
            raise AssertionError(f"timed out after {timeout} s waiting for: {message}") from None

    def js(self, script, *arguments):
        return self.driver.execute_script(script, *arguments)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def field(self, path):
        """The input or select of a form field by its API path (applicant.age) or name (email)."""
        return self.find(f'[data-field="{path}"] input, [data-field="{path}"] select')

    def type_into(self, path, text):
        element = self.field(path)
        if element.tag_name == "select":
            Select(element).select_by_value(text)
        else:
            element.clear()
            element.send_keys(text)
        # Leave the field, as a person tabbing through the form does (the inline check runs on blur).
        element.send_keys(Keys.TAB)

    def shown_errors(self):
        """{field path: (message, source)} for every visible field error."""
        return self.js("""
            const out = {};
            for (const p of document.querySelectorAll('.field-error:not([hidden])')) {
              out[p.closest('[data-field]').dataset.field] = [p.querySelector('.message').textContent, p.dataset.source];
            }
            return out;""")

    def heading(self):
        return self.wait(lambda: self.js("return document.querySelector('main h1')?.textContent"), "a page heading")

    def screenshot(self, name):
        """The whole page, not only the viewport (Chrome DevTools protocol)."""
        height = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]["height"]
        # The window's width: a capture beyond the viewport lays the page out without a scrollbar.
        width = self.js("return window.innerWidth")
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 12000), "scale": 1}})
        path = os.path.join(self.shots, f"{self.prefix}-{name}.png")
        with open(path, "wb") as file:
            file.write(base64.b64decode(shot["data"]))
        print(f"   screenshot {path}", flush=True)

    def api(self, method, path, body=None, token=None):
        request = urllib.request.Request(self.base + path, method=method,
                                         data=None if body is None else json.dumps(body).encode())
        request.add_header("Accept", "application/json")
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            response = urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            raw = response.read()
            is_json = "json" in (response.headers.get("Content-Type") or "")
            return response.status, json.loads(raw or b"null") if is_json else raw.decode(), response.headers

    def token(self):
        return self.js("return JSON.parse(sessionStorage.getItem('celeriac.session')).token")

    def route(self):
        return self.js("return location.hash")

    def no_horizontal_overflow(self, screen):
        width, inner = self.js("return [document.documentElement.scrollWidth, window.innerWidth]")
        self.ok(width <= inner, f"{screen}: no horizontal overflow at {inner} px (scrollWidth {width})")

    def accessible(self, screen):
        """Labels bound to every control, real buttons, and every resource from this origin."""
        unlabelled = self.js("""
            return [...document.querySelectorAll('input, select, textarea')]
              .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`)) && !e.getAttribute('aria-label'))
              .map(e => e.outerHTML.slice(0, 200));""")
        self.equal(unlabelled, [], f"{screen}: every form control has a bound label")
        # A focusable div is allowed only as a named scrolling region (the schedule table).
        fake = self.js("""return [...document.querySelectorAll('[role=button], [onclick], div[tabindex]:not([role=region][aria-label]), span[tabindex]')]
                            .map(e => e.outerHTML.slice(0, 200))""")
        self.equal(fake, [], f"{screen}: actions are real buttons and links")
        untyped = self.js("return [...document.querySelectorAll('button:not([type])')].map(e => e.outerHTML.slice(0, 200))")
        self.equal(untyped, [], f"{screen}: every button says its type")
        self.same_origin(screen)

    def same_origin(self, screen):
        origin = self.js("return location.origin")
        foreign = self.js("""
            return performance.getEntriesByType('resource').map(e => e.name)
              .filter(name => !name.startsWith(location.origin + '/'));""")
        self.equal(foreign, [], f"{screen}: every resource loaded from {origin}")

    def focus_visible(self, screen):
        """Tabbing to a control draws a visible focus ring."""
        self.find("body").send_keys(Keys.TAB)
        style = self.js("""
            const e = document.activeElement, s = getComputedStyle(e);
            return [e.tagName, s.outlineStyle, parseFloat(s.outlineWidth), e.matches(':focus-visible')];""")
        self.ok(style[0] != "BODY" and style[1] != "none" and style[2] >= 2 and style[3],
                f"{screen}: keyboard focus is visible ({style})")

    def console_errors(self):
        """Browser console errors, except the API's expected answers to bad input (4xx)."""
        errors = []
        for entry in self.driver.get_log("browser"):
            if entry["level"] != "SEVERE":
                continue
            if "Failed to load resource" in entry["message"] and "status of 4" in entry["message"]:
                continue
            errors.append(entry["message"])
        return errors

    # ---------------------------------------------------------------- the stories

    def sign_up(self, email, password):
        self.driver.get(self.base + "/")
        self.wait(lambda: self.route() == "#/login", "the login page for a visitor")
        self.equal(self.heading(), "Log in", "a visitor lands on the login page")
        self.find('a[href="#/signup"]').click()
        self.wait(lambda: self.js("return document.querySelector('main h1')?.textContent") == "Sign up", "the sign-up page")
        self.accessible("sign-up")
        self.focus_visible("sign-up")
        self.type_into("email", email)
        self.type_into("password", password)
        self.screenshot("01-sign-up")
        self.find("main form button[type=submit]").click()
        self.wait(lambda: self.route() == "#/loans/new", "the new loan form after signing up")
        self.ok("Welcome" in self.find("#flash").text, "signing up logs in and welcomes the applicant")

    def invalid_form(self):
        self.wait(lambda: len(self.find_all("main form [data-field]")) == 14, "the 14 loan form fields")
        self.accessible("loan form")
        self.screenshot("02-loan-form")
        typed = {
            "applicant.monthly_net_income": "abc", "applicant.monthly_debt_payments": "300",
            "applicant.employment_years": "8", "applicant.defaults_last_24_months": "0",
            "applicant.late_payments_last_24_months": "0.5", "applicant.age": "12",
            "property.estimated_value": "320000", "property.type": "apartment", "property.postcode": "6900",
            "property.purpose": "primary_home", "loan.amount": "250000", "loan.down_payment": "70000", "loan.term_months": "0",
        }
        for path, text in typed.items():
            self.type_into(path, text)
        # Employment left on "Choose…": focus it and leave it, as a person tabbing past it would.
        self.field("applicant.employment_type").send_keys(Keys.TAB)
        # The same request as JSON, as the page sends it: what does the API say?
        body = {"applicant": {"monthly_net_income": "abc", "monthly_debt_payments": 300, "employment_type": None,
                              "employment_years": 8, "defaults_last_24_months": 0, "late_payments_last_24_months": 0.5,
                              "age": 12},
                "property": {"estimated_value": 320000, "type": "apartment", "postcode": "6900", "purpose": "primary_home"},
                "loan": {"amount": 250000, "down_payment": 70000, "term_months": 0}}
        status, answer, _ = self.api("POST", "/loans", body, self.token())
        self.equal(status, 422, "the API rejects the invalid request")
        expected = answer["fields"]
        self.ok(len(expected) == 6, f"the API names six invalid fields: {sorted(expected)}")
        inline = self.wait(lambda: (e := self.shown_errors()) and len(e) == len(expected) and e, "the inline errors")
        self.equal({path: message for path, (message, _) in inline.items()}, expected,
                   "inline errors, before submitting, are exactly the API's field errors")
        self.ok(all(source == "inline" for _, source in inline.values()), "those errors were found in the page")
        self.equal(self.js("return document.querySelector('[data-field=\"applicant.age\"] input').getAttribute('aria-invalid')"),
                   "true", "an invalid field is marked aria-invalid")
        self.screenshot("03-inline-errors")

        self.find("main form button[type=submit]").click()
        shown = self.wait(lambda: (e := self.shown_errors()) and all(s == "api" for _, s in e.values()) and e,
                          "the API's field errors after submitting")
        self.equal({path: message for path, (message, _) in shown.items()}, expected,
                   "after submitting, the API's own field errors are shown next to the fields")
        self.ok("6 fields need attention" in self.find("main form .form-message").text, "the form says how many fields need attention")
        self.equal(self.js("return document.activeElement.closest('[data-field]')?.dataset.field"),
                   "applicant.monthly_net_income", "focus moves to the first invalid field")
        self.equal(self.route(), "#/loans/new", "an invalid request stays on the form")
        self.screenshot("04-api-errors")

    def fill(self, request):
        for section, fields in request.items():
            for key, value in fields.items():
                text = value if isinstance(value, str) else (str(int(value)) if float(value).is_integer() else str(value))
                self.type_into(f"{section}.{key}", text)

    def submit_and_open(self, request):
        self.fill(request)
        self.equal(self.shown_errors(), {}, "a valid request shows no field error")
        self.js("window.__sameDocument = true")  # gone if the page reloads
        self.find("main form button[type=submit]").click()
        self.wait(lambda: self.route().startswith("#/loans/") and self.route() != "#/loans/new", "the loan's live page")
        return self.route().split("/")[-1]

    def status(self):
        return self.js("return document.querySelector('.status-line')?.dataset.status")

    def checks(self):
        return self.js("return Object.fromEntries([...document.querySelectorAll('[data-check]')].map(e => [e.dataset.check, e.dataset.state]))")

    def approved_live(self):
        self.find('#nav a[href="#/loans/new"]').click() if self.route() != "#/loans/new" else None
        self.wait(lambda: len(self.find_all("main form [data-field]")) == 14, "the loan form")
        sample = self.samples["approvable"]
        loan_id = self.submit_and_open(sample["request"])
        if self.args.worker_control:
            # No worker runs yet: the loan must wait, visibly, with both checks waiting.
            self.wait(lambda: self.status() == "Pending", "the loan shown Pending")
            self.equal(self.checks(), {"credit": "waiting", "property": "waiting"}, "both checks wait side by side")
            self.screenshot("05-pending")
            open(os.path.join(self.args.worker_control, "need-worker"), "w").close()
        self.wait(lambda: self.status() == "Approved", "the loan turning Approved live", timeout=90)
        self.ok(self.js("return window.__sameDocument === true && performance.getEntriesByType('navigation').length === 1"),
                "it turned Approved without a reload")
        updates = int(self.js("return document.querySelector('.status-line').dataset.updates"))
        if self.args.worker_control:
            # Pending first, then at least the decision; the API may fold changes that land together into one message.
            self.ok(updates >= 2, f"the new states arrived over the WebSocket ({updates} updates)")
        self.equal(self.checks(), {"credit": "passed", "property": "passed"}, "both checks passed")
        self.wait(lambda: self.js("return document.querySelector('.connection')?.dataset.connection") == "done",
                  "the socket closed after the decision")
        events = self.js("return [...document.querySelectorAll('.timeline li')].map(e => e.dataset.event)")
        for event in ("submitted", "evaluation_started", "credit_checked", "property_checked", "decided"):
            self.ok(event in events, f"the history shows {event}")

        status, loan, _ = self.api("GET", f"/loans/{loan_id}", token=self.token())
        self.equal((status, loan["status"]), (200, "Approved"), "the API agrees: Approved")
        decision = loan["decision"]
        shown = self.js("""return Object.fromEntries([...document.querySelectorAll('.key-figures dt')]
                              .map(dt => [dt.textContent, Number(dt.nextElementSibling.dataset.value)]))""")
        self.equal(shown, {"Annual rate": decision["annual_rate"], "Monthly payment": decision["monthly_payment"],
                           "Total cost of credit": decision["total_cost_of_credit"], "Total repaid": decision["total_repaid"]},
                   "rate, monthly payment, total cost and total repaid are the API's")
        months = sample["request"]["loan"]["term_months"]
        for series in ("balance", "principal", "interest"):
            self.equal(self.js(f"return Number(document.querySelector('svg [data-series={series}]').dataset.periods)"), months,
                       f"the chart draws the {series} for each of the {months} months")
        self.equal(len(self.find_all(".series-principal rect")), months, "one principal bar per month")

        # Open the schedule with the keyboard: focus its summary and press Enter.
        summary = self.find("details.schedule summary")
        self.js("arguments[0].focus()", summary)
        summary.send_keys(Keys.ENTER)
        self.wait(lambda: self.js("return document.querySelector('details.schedule')?.open"), "the schedule opening")
        rows = self.find_all("details.schedule tbody tr")
        self.equal(len(rows), months, f"the schedule table has {months} rows, one per month")
        last = self.js("return [...document.querySelectorAll('details.schedule tbody tr:last-child > *')].map(e => e.textContent)")
        self.equal((last[0], last[-1]), (str(months), "€0.00"), "the last payment leaves nothing owed")
        self.equal(self.js("return document.querySelector('details.schedule tbody tr').firstElementChild.textContent"), "1",
                   "the schedule starts at month 1")
        self.accessible("approved loan")
        self.screenshot("06-approved-schedule")
        return loan_id

    def denied(self):
        self.find('#nav a[href="#/loans/new"]').click()
        self.wait(lambda: len(self.find_all("main form [data-field]")) == 14, "the loan form")
        sample = self.samples["denied"]
        loan_id = self.submit_and_open(sample["request"])
        self.wait(lambda: self.js("return document.querySelector('.connection')?.dataset.connection") == "done",
                  "the denied loan's decision", timeout=90)
        self.equal(self.status(), "Denied", "the loan is Denied")
        status, loan, _ = self.api("GET", f"/loans/{loan_id}", token=self.token())
        self.equal(loan["reasons"], sample["reasons"], "the API's reasons are the domain rules' reasons")
        shown = self.js("return [...document.querySelectorAll('.denial-reasons li')].map(e => e.textContent)")
        self.equal(shown, loan["reasons"], "the page shows exactly the API's reasons")
        self.equal(self.checks()["credit"], "failed", "the credit check card shows the failure")
        self.equal(len(self.find_all("details.schedule")), 0, "a denied loan has no schedule")
        self.screenshot("07-denied")
        return loan_id

    def history(self, newest_first):
        self.find('#nav a[href="#/loans"]').click()
        self.wait(lambda: len(self.find_all(".loan-item")) == len(newest_first), "the loan list")
        items = self.js("""return [...document.querySelectorAll('.loan-item')]
                             .map(e => [e.dataset.loanId, e.querySelector('.badge').textContent])""")
        self.equal([item[0] for item in items], [loan for loan, _ in newest_first], "my loans, newest first")
        self.equal([item[1] for item in items], [status for _, status in newest_first], "each with its status badge")
        self.accessible("loan list")
        self.screenshot("08-loans")

    def account(self, email, new_email, password):
        self.find('#nav a[href="#/account"]').click()
        self.wait(lambda: self.js("return document.querySelector('[data-testid=account-email]')?.textContent") == email,
                  "the account page")
        self.accessible("account")
        self.type_into("email", new_email)
        self.find("main form button[type=submit]").click()
        self.wait(lambda: self.js("return document.querySelector('[data-testid=account-email]')?.textContent") == new_email,
                  "the changed email")
        self.ok("updated" in self.find("main form .form-message").text, "the account change is confirmed")
        self.screenshot("09-account")
        self.find("#logout").click()
        self.wait(lambda: self.route() == "#/login", "the login page after logging out")
        self.ok("logged out" in self.find("#flash").text, "logging out says so")
        self.equal(self.js("return sessionStorage.getItem('celeriac.session')"), None, "logging out forgets the token")
        # Log in again with the keyboard only: type, Tab, type, Enter.
        self.field("email").click()
        self.driver.switch_to.active_element.send_keys(new_email, Keys.TAB, password, Keys.ENTER)
        self.wait(lambda: self.route() == "#/loans", "my loans after logging in with the keyboard")
        self.ok(True, "logged in with the new email using the keyboard only")

    def phone(self, approved_id, denied_id):
        """The main screens at phone width: nothing wider than the screen."""
        self.prefix = "phone"
        self.driver.set_window_size(390, 844)
        self.wait(lambda: self.js("return window.innerWidth") <= 390, "a phone-width window")
        self.driver.get(self.base + "/#/loans")
        self.wait(lambda: len(self.find_all(".loan-item")) == 2, "the loan list")
        self.no_horizontal_overflow("loan list")
        self.screenshot("01-loans")
        self.driver.get(self.base + f"/#/loans/{approved_id}")
        self.wait(lambda: self.status() == "Approved", "the approved loan")
        self.find("details.schedule summary").click()
        self.wait(lambda: len(self.find_all("details.schedule tbody tr")) > 0, "the schedule")
        self.no_horizontal_overflow("approved loan with its schedule")
        self.screenshot("02-approved")
        self.driver.get(self.base + f"/#/loans/{denied_id}")
        self.wait(lambda: self.status() == "Denied", "the denied loan")
        self.no_horizontal_overflow("denied loan")
        self.screenshot("03-denied")
        self.driver.get(self.base + "/#/loans/new")
        self.wait(lambda: len(self.find_all("main form [data-field]")) == 14, "the loan form")
        self.type_into("applicant.age", "12")
        self.wait(lambda: "applicant.age" in self.shown_errors(), "an inline error")
        self.no_horizontal_overflow("loan form with an error")
        self.screenshot("04-loan-form")
        self.driver.get(self.base + "/#/account")
        self.wait(lambda: self.find_all("[data-testid=account-email]"), "the account page")
        self.no_horizontal_overflow("account")
        self.screenshot("05-account")
        self.find("#logout").click()
        self.wait(lambda: self.route() == "#/login", "the login page")
        self.no_horizontal_overflow("login")
        self.screenshot("06-login")
        self.same_origin("phone pass")

    def main(self):
        status, _, headers = self.api("GET", "/")
        policy = headers.get("Content-Security-Policy", "")
        self.ok(status == 200 and "default-src 'self'" in policy and "connect-src 'self'" in policy,
                "the page is served with a same-origin-only Content-Security-Policy")
        email = f"applicant-{uuid.uuid4().hex[:8]}@example.com"
        password = "correct horse battery"
        self.sign_up(email, password)
        self.invalid_form()
        approved_id = self.approved_live()
        denied_id = self.denied()
        self.history([(denied_id, "Denied"), (approved_id, "Approved")])
        self.account(email, "renamed-" + email, password)
        self.equal(self.console_errors(), [], "no errors in the browser console")
        self.phone(approved_id, denied_id)
        self.equal(self.console_errors(), [], "no errors in the browser console at phone width")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--samples", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--worker-control")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    # Stopped by the test's timeout: unwind, so the finally below quits Chromium and its driver.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    started = time.monotonic()
    run = Run(args)
    failed = 0
    try:
        run.main()
    except Exception as error:  # report, keep a picture of the failure, and fail
        failed = 1
        print(f"not ok {run.passed + 1} - {error}", flush=True)
        try:
            run.prefix = "failure"
            run.screenshot(run.route().replace("#", "").replace("/", "_") or "page")
            print("browser console:", json.dumps(run.driver.get_log("browser"), indent=1)[:4000])
        except Exception as inner:
            print(f"(no failure screenshot: {inner})")
    finally:
        run.driver.quit()
    print(f"browser: {run.passed} passed, {failed} failed in {time.monotonic() - started:.1f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
