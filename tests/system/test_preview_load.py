"""A bounded load test: 500 requests from 10 clients to the preview while its issue changes.

The real `newsletter preview` on 127.0.0.1, its real file watcher and builder: a writer
saves the issue at fixed points of the request stream, so builds run while clients read.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.system.test_preview_server import preview_process

pytestmark = [pytest.mark.network, pytest.mark.slow]

REQUESTS = 500
CLIENTS = 10
SAVES = 5  # the writer saves after every REQUESTS // (SAVES + 1) answers
BUDGET = 60.0  # seconds for the whole test
TARGETS = ("/", "/email.html", "/status.json", "/email.txt", "/livereload/0")


@dataclass
class Tally:
    """What the clients saw, shared between their threads."""

    answered: int = 0
    failures: list[str] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    condition: threading.Condition = field(default_factory=threading.Condition)


def _check(target: str, status: int, length: str | None, body: bytes) -> str:
    """Why this answer is wrong, or "" when it is right and complete."""
    if status != 200:
        return f"status {status}"
    if length is None or int(length) != len(body):
        return f"{len(body)} bytes for a Content-Length of {length}"
    text = body.decode()
    if target in ("/", "/email.html") and not text.rstrip().endswith("</html>"):
        return "an HTML page cut short"
    if target == "/email.txt" and not text.strip():
        return "an empty text"
    if target in ("/status.json", "/livereload/0"):
        json.loads(text)  # raises on a truncated document
    return ""


def _request(port: int, target: str) -> tuple[str, bytes]:
    """One GET on a fresh connection: what is wrong with the answer ("" if nothing), and it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        body = response.read()
        return _check(target, response.status, response.getheader("Content-Length"), body), body
    except (OSError, http.client.HTTPException, ValueError) as e:
        return f"{type(e).__name__}: {e}", b""
    finally:
        connection.close()


def test_500_requests_from_10_clients_while_the_issue_changes(project: Path) -> None:
    issue = project / "issues" / "2026-11-30.yaml"
    original = issue.read_text(encoding="utf-8")
    tally = Tally()
    numbers = itertools.count()
    started = time.monotonic()

    with preview_process(project, "--port", "0") as running:
        port = int(running.url.rsplit(":", 1)[1].strip("/"))

        def client() -> None:
            while (n := next(numbers)) < REQUESTS:  # next() on a count is atomic in CPython
                target = TARGETS[n % len(TARGETS)]
                problem, body = _request(port, target)
                with tally.condition:
                    if problem:
                        tally.failures.append(f"{target}: {problem}")
                    elif target == "/status.json":
                        tally.subjects.add(json.loads(body)["subject"])
                    tally.answered += 1
                    tally.condition.notify_all()

        def answers(count: int) -> Callable[[], bool]:
            return lambda: tally.answered >= count

        def writer() -> None:
            for save in range(1, SAVES + 1):
                with tally.condition:
                    tally.condition.wait_for(answers(save * REQUESTS // (SAVES + 1)), BUDGET)
                text = original.replace("subject: A small issue", f"subject: Save {save}")
                if save % 2:  # as editors do: in place, or a temporary file renamed over it
                    issue.write_text(text, encoding="utf-8")
                else:
                    temporary = issue.with_name(f".{issue.name}.tmp")
                    temporary.write_text(text, encoding="utf-8")
                    os.replace(temporary, issue)

        threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
        threads.append(threading.Thread(target=writer, daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, BUDGET - (time.monotonic() - started)))
        assert not any(t.is_alive() for t in threads), f"not done in {BUDGET:.0f} s"

        # After the last save the preview settles on it.
        deadline = time.monotonic() + 10
        while True:
            problem, body = _request(port, "/status.json")
            assert problem == ""
            status = json.loads(body)
            if status["subject"] == f"Save {SAVES}" or time.monotonic() > deadline:
                break
            _request(port, f"/livereload/{status['epoch']}")  # waits for the next build
        assert (status["ok"], status["subject"]) == (True, f"Save {SAVES}")
        assert running.interrupt() == 0

    assert tally.failures == []
    assert tally.answered == REQUESTS
    # The builds happened while the clients were reading: they saw more than one subject.
    assert len(tally.subjects) > 1, tally.subjects
    assert time.monotonic() - started < BUDGET
