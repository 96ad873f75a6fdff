#!/usr/bin/env python3
"""web_calculator.py VRAM SOURCE_DIR OUT_DIR - the page of `vram serve` driven by Selenium in
headless Chromium (issue 20): each of the five modes end to end, the shown total checked
against the API for the scenario the page sent; the share link opened in a fresh profile;
compare; history; every export; keyboard shortcuts; a silent console. Screenshots (desktop,
phone, dark) are left in OUT_DIR.

Prints "SKIPPED: <reason>" and exits 0 where Selenium, Chromium or chromedriver is missing
(CTest's SKIP_REGULAR_EXPRESSION turns that into a skip, never a pass)."""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

vram, src, out = sys.argv[1], sys.argv[2], sys.argv[3]


def skip(reason):
    print(f"SKIPPED: {reason}")
    sys.exit(0)


try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    # python3-selenium is a Debian package: it lives in the system interpreter, which may not be
    # the python3 first on PATH (pyenv, a venv).
    system = "/usr/bin/python3"
    if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system) and \
            not os.environ.get("VRAM_WEB_TEST_REEXEC"):
        os.environ["VRAM_WEB_TEST_REEXEC"] = "1"
        os.execv(system, [system] + sys.argv)
    skip("python3-selenium is not installed (scripts/debian-packages.txt); the web page was not tested")
browser = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
driver_path = shutil.which("chromedriver")
if not browser or not driver_path:
    skip("chromium or chromedriver is not installed (Debian: chromium, chromium-driver); the web page was not tested")

failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what, flush=True)
    if not ok:
        failures.append(what)


shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
downloads = os.path.join(out, "downloads")
os.makedirs(downloads)
server = subprocess.Popen([vram, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
line = server.stdout.readline()
if "http://" not in line:
    print("FAIL: vram serve did not start:", line, server.stderr.read())
    sys.exit(1)
base = line.split("http://", 1)[1].split("/", 1)[0]
base = f"http://{base}"
profiles = tempfile.mkdtemp()


def api(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + "/api/v1/" + path, data=data,
                                 headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def new_driver(width=1200, height=1400, dark=False):
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--window-size={width},{height}", f"--user-data-dir={tempfile.mkdtemp(dir=profiles)}"):
        options.add_argument(arg)
    if dark:
        options.add_argument("--force-dark-mode")
        options.add_argument("--blink-settings=preferredColorScheme=0")
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(driver_path), options=options)
    d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    d.set_page_load_timeout(60)
    return d


def token_scenario(d):
    """The scenario the page last estimated: the page keeps it in the URL (?s=TOKEN)."""
    token = d.current_url.split("?s=", 1)[1]
    return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def settle(d, timeout=60):
    """Waits until no estimate is in flight and the total shows; returns (bytes, error text)."""
    time.sleep(0.4)  # the page waits 250 ms after a change before it asks
    WebDriverWait(d, timeout).until(lambda x: x.execute_script(
        "return document.body.dataset.ready === '1' && !document.body.dataset.busy && !document.body.dataset.pending && "
        "document.body.dataset.computed !== undefined"))
    error = d.find_element(By.ID, "error")
    total = d.find_element(By.ID, "result-total").get_attribute("data-total-bytes")
    return total, (error.text if error.is_displayed() else "")


def check_total(d, what):
    total, error = settle(d)
    check(not error, f"{what}: no error shown ({error})")
    scenario = token_scenario(d)
    expected = api("estimate", scenario)["total_bytes"]
    check(total == str(expected), f"{what}: #result-total data-total-bytes {total} == API total_bytes {expected}")
    return scenario, total


def set_field(d, key, value):
    el = d.find_element(By.CSS_SELECTOR, f'[data-key="{key}"]')
    if el.tag_name == "select":
        Select(el).select_by_value(str(value))
    else:
        replace_text(el, value)


def replace_text(el, value):
    # Replace the whole value in one edit, as a paste does. Typing it key by key leaves
    # half-typed values on the page ("1" of "1280" is an image narrower than a patch); on a
    # loaded machine the page's 250 ms debounce fires between keys and asks the API about them,
    # and their (correct) 400s land in the console the test requires silent.
    el._parent.execute_script(
        "const el = arguments[0]; el.focus(); el.value = arguments[1];"
        "el.dispatchEvent(new Event('input', {bubbles: true}));"
        "el.dispatchEvent(new Event('change', {bubbles: true}));", el, str(value))


def console_errors(d):
    return [e for e in d.get_log("browser") if e["level"] == "SEVERE"]


# Records the body of every API request that did not answer 2xx (window.__failed), so that a
# console error names the scenario behind it.
WATCH_FETCH = """
if (!window.__failed) {
  window.__failed = [];
  const original = window.fetch;
  window.fetch = async (url, options) => {
    const res = await original(url, options);
    if (!res.ok) window.__failed.push({url: String(url), status: res.status, body: options && options.body,
                                       answer: await res.clone().text()});
    return res;
  };
}
"""


def failed_requests(d):
    return d.execute_script("return window.__failed || []")


try:
    d = new_driver()
    d.get(base + "/")
    settle(d)
    d.execute_script(WATCH_FETCH)

    # 1. Inference: model by preset search, GPU by fuzzy search, a batch size.
    d.find_element(By.ID, "model-preset").clear()
    d.find_element(By.ID, "model-preset").send_keys("llama-3.1-8b", Keys.TAB)
    gpu = d.find_element(By.ID, "gpu-search")
    gpu.clear()
    gpu.send_keys("l40s")
    WebDriverWait(d, 30).until(lambda x: x.find_elements(By.CSS_SELECTOR, "#gpu-results li"))
    d.find_element(By.CSS_SELECTOR, "#gpu-results li").click()
    set_field(d, "workload.batch_size", 16)
    s, inference_total = check_total(d, "inference")
    check(s["workload"]["batch_size"] == 16 and "L40S" in s["hardware"]["gpu"] and s["model"]["preset"] == "llama-3.1-8b",
          f"inference: the page sent what was typed ({s})")
    check(len(d.find_elements(By.CSS_SELECTOR, "#bars rect.seg")) >= 1, "inference: stacked bar drawn")
    check(len(d.find_elements(By.CSS_SELECTOR, "#donut circle.seg")) >= 1, "inference: donut drawn")
    title = d.find_element(By.CSS_SELECTOR, "#donut circle.seg title").get_attribute("textContent")
    check("GiB" in title and len(title.splitlines()) >= 2, f"inference: donut segments carry formulas ({title[:60]!r})")
    share_url = d.find_element(By.ID, "share-url").get_attribute("value")
    shared_scenario = s

    # 2. Fine-tuning (LoRA), 3. training (full), 4. GRPO, 5. multimodal: each from the mode tabs.
    d.find_element(By.CSS_SELECTOR, "input[name=mode][value=finetune]").click()
    settle(d)
    set_field(d, "training.method", "qlora")
    s, _ = check_total(d, "fine-tuning")
    check(s["workload"]["type"] == "training" and s["training"]["method"] == "qlora", f"fine-tuning: QLoRA sent ({s.get('training')})")
    method_fields = d.find_elements(By.CSS_SELECTOR, '[data-key^="training.qlora."]')
    check(len(method_fields) >= 1, f"fine-tuning: the method's options come from the schema ({len(method_fields)} fields)")

    d.find_element(By.CSS_SELECTOR, "input[name=mode][value=training]").click()
    s, _ = check_total(d, "training")
    check(s["training"]["method"] == "full" and s["training"]["objective"] == "pretrain", f"training: full pretraining sent")

    d.find_element(By.CSS_SELECTOR, "input[name=mode][value=grpo]").click()
    s, _ = check_total(d, "grpo")
    check(s["training"]["objective"] == "grpo", "grpo: objective grpo sent")
    check(len(d.find_elements(By.CSS_SELECTOR, '[data-key^="training.grpo."]')) >= 1, "grpo: GRPO options shown")

    d.find_element(By.CSS_SELECTOR, "input[name=mode][value=multimodal]").click()
    settle(d)
    rows = d.find_elements(By.CSS_SELECTOR, "#inputs-list .input-row")
    check(len(rows) == 1, "multimodal: one input row")
    width = rows[0].find_element(By.CSS_SELECTOR, '[data-key="width"]')
    replace_text(width, 1280)
    s, _ = check_total(d, "multimodal")
    check(s.get("inputs") and s["inputs"][0]["width"] == 1280, f"multimodal: inputs sent ({s.get('inputs')})")

    # Keyboard: "1" goes back to inference without the mouse.
    d.find_element(By.TAG_NAME, "body").send_keys("1")
    s, _ = check_total(d, "keyboard shortcut 1")
    check(d.find_element(By.CSS_SELECTOR, "input[name=mode][value=inference]").is_selected(), "keyboard: '1' selects inference")

    # Compare: two scenarios, the table's totals are the API's.
    d.find_element(By.ID, "cmp-clear").click()
    d.find_element(By.ID, "cmp-add").click()
    set_field(d, "workload.batch_size", 4)
    s2, _ = check_total(d, "second scenario")
    d.find_element(By.ID, "cmp-add").click()
    d.find_element(By.ID, "cmp-run").click()
    WebDriverWait(d, 60).until(lambda x: x.find_elements(By.CSS_SELECTOR, "#cmp-result td[data-total-bytes]"))
    shown = [c.get_attribute("data-total-bytes") for c in d.find_elements(By.CSS_SELECTOR, "#cmp-result td[data-total-bytes]")]
    expected = [str(x["total_bytes"]) for x in api("compare", {"scenarios": [s, s2]})["scenarios"]]
    check(shown == expected, f"compare: totals {shown} == API {expected}")

    # History: the entries are there and one restores its scenario.
    entries = d.find_elements(By.CSS_SELECTOR, "#history .history-entry")
    check(len(entries) >= 5, f"history: {len(entries)} entries in localStorage")
    stored = json.loads(d.execute_script("return localStorage.getItem('vram.history')"))
    target = stored[1]
    entries[1].click()
    total, _ = settle(d)
    check(total == str(target["total_bytes"]), f"history: restoring entry 2 shows its total {target['total_bytes']}")

    # Fit map and recommendation use the sweep and recommend APIs.
    d.find_element(By.ID, "fit-run").click()
    WebDriverWait(d, 60).until(lambda x: x.find_elements(By.CSS_SELECTOR, "#fit-table td"))
    check(len(d.find_elements(By.CSS_SELECTOR, "#fit-table td")) == 72, "fit map: 8 × 9 cells")
    d.find_element(By.ID, "rec-run").click()
    WebDriverWait(d, 60).until(lambda x: x.find_elements(By.CSS_SELECTOR, "#rec-result tbody tr") or
                               "No catalog" in x.find_element(By.ID, "rec-table").text)
    check(len(d.find_elements(By.CSS_SELECTOR, "#rec-result tbody tr")) >= 1, "recommend: a table of GPUs")

    # Export: every format downloads; JSON is the shown total, YAML runs unchanged with vram run.
    total, _ = settle(d)
    for kind, name in (("json", "vram-estimate.json"), ("yaml", "vram-scenario.yaml"), ("markdown", "vram-estimate.md"),
                       ("csv", "vram-estimate.csv"), ("html", "vram-estimate.html")):
        path = os.path.join(downloads, name)
        if os.path.exists(path):
            os.remove(path)
        d.find_element(By.CSS_SELECTOR, f'[data-export="{kind}"]').click()
        for _ in range(100):
            if os.path.exists(path) and os.path.getsize(path) > 0:
                break
            time.sleep(0.1)
        check(os.path.exists(path) and os.path.getsize(path) > 0, f"export {kind}: {name} downloaded")
    with open(os.path.join(downloads, "vram-estimate.json")) as f:
        check(str(json.load(f)["total_bytes"]) == total, "export json: total_bytes is the shown total")
    run = subprocess.run([vram, "run", os.path.join(downloads, "vram-scenario.yaml"), "--format", "json"],
                         capture_output=True, text=True)
    check(run.returncode == 0 and str(json.loads(run.stdout)["total_bytes"]) == total,
          f"export yaml: vram run gives the shown total ({run.stderr.strip()})")

    errors = console_errors(d)
    check(not errors, f"console silent ({errors[:3]}; failed requests: {failed_requests(d)[:3]})")
    d.save_screenshot(os.path.join(out, "calculator.png"))
    d.quit()

    # Share link in a fresh profile (nothing in localStorage): the same scenario and total.
    d = new_driver()
    d.get(share_url)
    total, error = settle(d)
    check(not error and total == inference_total, f"share link: fresh profile shows {total} == {inference_total}")
    check(token_scenario(d) == shared_scenario, "share link: the page holds the shared scenario")
    check(d.execute_script("return localStorage.getItem('vram.history')") is not None, "share link: recorded in the new history")
    d.quit()

    # Phone and dark screenshots; the page must not scroll sideways on a phone.
    d = new_driver(390, 1600)
    d.get(share_url)
    settle(d)
    wide = d.execute_script("return document.documentElement.scrollWidth > window.innerWidth + 1")
    check(not wide, "phone: no horizontal scrolling at 390 px")
    d.save_screenshot(os.path.join(out, "calculator-phone.png"))
    d.quit()
    d = new_driver(dark=True)
    d.get(share_url)
    settle(d)
    bg = d.execute_script("return getComputedStyle(document.body).backgroundColor")
    check(bg != "rgb(255, 255, 255)", f"dark: the page follows the dark scheme ({bg})")
    d.save_screenshot(os.path.join(out, "calculator-dark.png"))
    d.quit()
finally:
    server.terminate()
    try:
        rc = server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        rc = -9
    shutil.rmtree(profiles, ignore_errors=True)
check(rc == 0, f"vram serve stopped cleanly on SIGTERM (exit {rc})")
if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
