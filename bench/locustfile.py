"""Load for ``make bench`` (locust, headless): one scenario per run, chosen by BENCH_SCENARIO.

* a page name of the plan (``bench_pages --plan``): every user GETs that page in a loop with a
  logged-in admin session (no think time), each answer must be 200;
* ``signing``: every user takes the next invitation link of a distinct person, GETs the signing page
  and POSTs the signed form (the answer must be the 302 to the statement), like a staff member on a phone.

The stats of the run (after spawning, ``--reset-stats``) go to BENCH_OUT as JSON, with the CPU time the
load generator itself used (it shares the machine with gunicorn and PostgreSQL).
"""

import json
import os
import re
import resource
import time
from urllib.parse import urlencode

from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["BENCH_PLAN"]).read())
SCENARIO = os.environ["BENCH_SCENARIO"]
OUT = os.environ.get("BENCH_OUT", "")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_sessions = iter(range(10**9))
# Each round of the signing scenario takes its own quarter of the invitation links (people sign once):
# BENCH_ROUND, else the round number at the end of BENCH_OUT ("page-7-2.json" is round 2).
_round = int(os.environ.get("BENCH_ROUND") or (re.findall(r"-(\d+)\.json$", OUT) or ["1"])[0])
_signers = iter(PLAN["sign"][(_round - 1) % 4 * len(PLAN["sign"]) // 4 :])
_started = {}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class PageUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        sessions = PLAN["sessions"]
        self.cookie = f"{PLAN['session_cookie']}={sessions[next(_sessions) % len(sessions)]}"
        self.path = PLAN["pages"].get(SCENARIO, "")

    @task
    def load(self):
        if SCENARIO == "signing":
            self.sign()
        else:
            self.page()

    def page(self):
        self.client.cookiejar.clear()  # only the session cookie, as a browser tab would send it
        with self.client.get(
            self.path, headers={"Cookie": self.cookie}, name=SCENARIO, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    def sign(self):
        item = next(_signers, None)
        if item is None:
            raise StopUser()
        self.client.cookiejar.clear()  # a new person, a new browser
        with self.client.get(item["path"], name="signing GET", allow_redirects=False, catch_response=True) as response:
            match = CSRF.search(response.text or "") if response.status_code == 200 else None
            if not match:
                response.failure(f"HTTP {response.status_code}, no form")
                return
        data = {key: value for key, value in item.items() if key != "path"}
        data["csrfmiddlewaretoken"] = match.group(1)
        with self.client.post(
            item["path"],
            data=urlencode(data),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name="signing POST",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}")


@events.spawning_complete.add_listener
def _measure_from_here(user_count, **kwargs):
    _started.update(cpu=_cpu(), wall=time.perf_counter())


@events.quitting.add_listener
def _write_stats(environment, **kwargs):
    if not OUT:
        return
    wall = time.perf_counter() - _started.get("wall", time.perf_counter())
    out = {"scenario": SCENARIO, "users": environment.runner.user_count if environment.runner else None}
    out["generator_cpu_share"] = (_cpu() - _started.get("cpu", 0.0)) / wall if wall > 0 else None
    entries = {}
    for entry in [*environment.stats.entries.values(), environment.stats.total]:
        entries[entry.name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.total_rps,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "avg_ms": entry.avg_response_time,
        }
    out["entries"] = entries
    out["errors"] = {str(e.error): e.occurrences for e in environment.stats.errors.values()}
    with open(OUT, "w") as handle:
        json.dump(out, handle, indent=2)
