"""Tests of the de-agent Airflow failure callback (standard library only).

Run from the airflow/ directory:  python3 -m unittest discover -s tests -v
"""

import datetime
import hashlib
import hmac
import http.server
import json
import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import types
import unittest
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import de_agent_callback as cb  # noqa: E402

SECRET = "test-secret-123"
UTC = datetime.timezone.utc

# environment variables the callback reads (cleared for every test, so the host cannot leak in)
_ENV_KEYS = (
    "DE_AGENT_URL",
    "DE_AGENT_WEBHOOK_SECRET",
    "DE_AGENT_LOG_DIR",
    "AIRFLOW_HOME",
    "AIRFLOW__LOGGING__BASE_LOG_FOLDER",
    "AIRFLOW__WEBSERVER__BASE_URL",
    "AIRFLOW__API__BASE_URL",
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
)


# ---------------------------------------------------------------------------------------------
# a tiny webhook server
# ---------------------------------------------------------------------------------------------


class Webhook:
    """A ThreadingHTTPServer on 127.0.0.1:0 that records requests and answers from a script.

    Each scripted answer is (status, json_body) or ("hang", seconds). The last answer repeats.
    """

    def __init__(self, answers=None, secret=SECRET):
        self.answers = list(answers or [(202, {"status": "accepted"})])
        self.secret = secret.encode("utf-8") if secret else None
        self.requests = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        webhook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with webhook.lock:
                    index = len(webhook.requests)
                    webhook.requests.append(
                        {
                            "path": self.path,
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body,
                            "verified": webhook.verify(self.headers, body),
                            "at": time.monotonic(),
                        }
                    )
                    answer = webhook.answers[min(index, len(webhook.answers) - 1)]
                if answer[0] == "hang":
                    webhook.release.wait(answer[1])
                    return
                status, payload = answer
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # broken pipes after a client timeout are expected

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def verify(self, headers, body):
        """What the server does: HMAC over exactly the received bytes, constant-time compare."""
        if not self.secret:
            return False
        timestamp = headers.get("X-DE-Agent-Timestamp") or ""
        signature = headers.get("X-DE-Agent-Signature") or ""
        expected = "v1=" + hmac.new(self.secret, b"v1:" + timestamp.encode("ascii") + b":" + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii"))

    def events(self):
        return [json.loads(r["body"].decode("utf-8")) for r in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(2)


def closed_port_url():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d" % port


# ---------------------------------------------------------------------------------------------
# fake Airflow contexts
# ---------------------------------------------------------------------------------------------

NS = types.SimpleNamespace
LOGICAL_DATE = datetime.datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
RUN_ID = "scheduled__2026-11-20T03:00:00+00:00"
LOG_URL = "http://airflow.example:8080/dags/daily_orders/grid?dag_run_id=x&task_id=load_orders"


def UndefinedColumn():
    cls = type("UndefinedColumn", (Exception,), {"__module__": "psycopg2.errors"})
    return cls('column "customer_idd" does not exist')


def airflow2_context(exception=None, **ti_overrides):
    dag = NS(dag_id="daily_orders", tags=["orders"], default_args={"owner": "data-platform"}, owner="data-platform",
             fileloc="/opt/airflow/dags/daily_orders.py")
    task = NS(task_id="load_orders", owner="data-platform", task_type="PostgresOperator", retries=3)
    ti_fields = dict(
        dag_id="daily_orders",
        task_id="load_orders",
        run_id=RUN_ID,
        try_number=2,
        max_tries=3,
        log_url=LOG_URL,
        hostname="worker-3",
        operator="PostgresOperator",
        state="failed",
        map_index=-1,
        task=task,
    )
    ti_fields.update(ti_overrides)
    ti = NS(**ti_fields)
    dag_run = NS(dag_id="daily_orders", run_id=RUN_ID, logical_date=LOGICAL_DATE, execution_date=LOGICAL_DATE)
    return {
        "dag": dag,
        "task": task,
        "task_instance": ti,
        "ti": ti,
        "dag_run": dag_run,
        "run_id": RUN_ID,
        "logical_date": LOGICAL_DATE,
        "exception": exception if exception is not None else UndefinedColumn(),
    }


class RuntimeTaskInstance:
    """Airflow 3 task-sdk shape: no log_url, no hostname, no operator column."""

    def __init__(self, task):
        self.dag_id = "daily_orders"
        self.task_id = task.task_id
        self.run_id = "manual__2026-11-20T03:00:00+00:00"
        self.try_number = 1
        self.max_tries = 0
        self.map_index = -1
        self.task = task


def airflow3_context(with_ti=False):
    dag = NS(dag_id="daily_orders", tags={"orders", "finance"}, default_args={"owner": "data-platform"})
    task = NS(task_id="load_orders", owner="data-platform", task_type="SQLExecuteQueryOperator", retries=0)
    context = {
        "dag": dag,
        "task": task,
        "dag_run": NS(dag_id="daily_orders", run_id="manual__2026-11-20T03:00:00+00:00", logical_date=None),
        "run_id": "manual__2026-11-20T03:00:00+00:00",
        "logical_date": None,
        "exception": ValueError("boom"),
    }
    if with_ti:
        context["task_instance"] = context["ti"] = RuntimeTaskInstance(task)
    return context


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------


class CallbackTestCase(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch.dict(os.environ, {})
        patcher.start()
        self.addCleanup(patcher.stop)
        for key in _ENV_KEYS:
            os.environ.pop(key, None)
        self.home = tempfile.mkdtemp(prefix="de-agent-airflow-home-")
        self.addCleanup(shutil.rmtree, self.home, True)
        os.environ["AIRFLOW_HOME"] = self.home  # no stray ~/airflow/logs

    def fast_callback(self, url, **kwargs):
        settings = dict(secret=SECRET, timeout=1.0, retries=2, backoff=0.05)
        settings.update(kwargs)
        return cb.make_callback(url=url, **settings)

    def write_log(self, content, dag="daily_orders", run=RUN_ID, task="load_orders", attempt=2, map_index=None, base=None):
        base = base or os.path.join(self.home, "logs")
        directory = os.path.join(base, "dag_id=" + dag, "run_id=" + run, "task_id=" + task)
        if map_index is not None:
            directory = os.path.join(directory, "map_index=%d" % map_index)
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, "attempt=%d.log" % attempt)
        with open(path, "wb") as f:
            f.write(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path


class SigningTest(CallbackTestCase):
    def test_signature_verifies_on_the_server_over_the_received_bytes(self):
        with Webhook() as server:
            self.fast_callback(server.url)(airflow2_context())
        self.assertEqual(len(server.requests), 1)
        request = server.requests[0]
        self.assertTrue(request["verified"], "HMAC over the received body must verify")
        self.assertEqual(request["path"], "/webhooks/airflow")
        self.assertEqual(request["headers"]["content-type"], "application/json")
        timestamp = request["headers"]["x-de-agent-timestamp"]
        self.assertRegex(timestamp, r"^[0-9]+$")
        self.assertLess(abs(int(timestamp) - time.time()), 60)
        self.assertRegex(request["headers"]["x-de-agent-signature"], r"^v1=[0-9a-f]{64}$")
        # the body is the compact JSON encoding
        event = json.loads(request["body"])
        self.assertEqual(request["body"], json.dumps(event, separators=(",", ":")).encode("utf-8"))

    def test_sign_matches_a_hand_computed_hmac(self):
        body = b'{"dag_id":"d","task_id":"t"}'
        expected = hmac.new(b"k", b"v1:1700000000:" + body, hashlib.sha256).hexdigest()
        self.assertEqual(cb.sign("k", "1700000000", body), "v1=" + expected)
        self.assertEqual(cb.sign(b"k", "1700000000", body), "v1=" + expected)

    def test_a_tampered_body_does_not_verify(self):
        server = Webhook()
        signature = cb.sign(SECRET, "1700000000", b'{"a":1}')
        headers = {"X-DE-Agent-Timestamp": "1700000000", "X-DE-Agent-Signature": signature}
        self.assertTrue(server.verify(headers, b'{"a":1}'))
        self.assertFalse(server.verify(headers, b'{"a":2}'))
        server.server.server_close()

    def test_url_that_already_has_the_webhook_path_is_kept(self):
        self.assertEqual(cb.webhook_url("http://h:3000"), "http://h:3000/webhooks/airflow")
        self.assertEqual(cb.webhook_url("http://h:3000/"), "http://h:3000/webhooks/airflow")
        self.assertEqual(cb.webhook_url("http://h:3000/webhooks/airflow"), "http://h:3000/webhooks/airflow")
        with Webhook() as server:
            self.fast_callback(server.url + "/webhooks/airflow")(airflow2_context())
        self.assertEqual([r["path"] for r in server.requests], ["/webhooks/airflow"])

    def test_env_configuration_and_unsigned_warning(self):
        with Webhook(answers=[(401, {"error": "missing signature"})]) as server:
            os.environ["DE_AGENT_URL"] = server.url
            with self.assertLogs("de_agent", level="WARNING") as logs:
                cb.on_failure_callback(airflow2_context())
        self.assertEqual(len(server.requests), 1, "401 is not retried")
        self.assertNotIn("x-de-agent-signature", server.requests[0]["headers"])
        text = "\n".join(logs.output)
        self.assertIn("DE_AGENT_WEBHOOK_SECRET is not set", text)
        self.assertIn("missing signature", text)

    def test_env_secret_is_used_by_on_failure_callback(self):
        with Webhook() as server:
            os.environ["DE_AGENT_URL"] = server.url
            os.environ["DE_AGENT_WEBHOOK_SECRET"] = SECRET
            cb.on_failure_callback(airflow2_context())
        self.assertEqual(len(server.requests), 1)
        self.assertTrue(server.requests[0]["verified"])


class SuccessTest(CallbackTestCase):
    def test_success_is_sent_signed_without_a_log(self):
        with Webhook() as server:
            os.environ["DE_AGENT_URL"] = server.url
            os.environ["DE_AGENT_WEBHOOK_SECRET"] = SECRET
            cb.on_success_callback(airflow2_context())
        self.assertEqual(len(server.requests), 1)
        self.assertTrue(server.requests[0]["verified"])
        self.assertEqual(
            server.events(),
            [{"state": "success", "dag_id": "daily_orders", "task_id": "load_orders", "run_id": RUN_ID, "try_number": 2}],
        )

    def test_success_without_a_url_sends_nothing_and_never_raises(self):
        cb.on_success_callback({})
        os.environ["DE_AGENT_URL"] = "http://127.0.0.1:9"
        cb.on_success_callback({"ti": object()})


class EventTest(CallbackTestCase):
    def test_airflow2_context(self):
        event = cb.build_event(airflow2_context())
        self.assertEqual(
            event,
            {
                "dag_id": "daily_orders",
                "task_id": "load_orders",
                "run_id": RUN_ID,
                "logical_date": "2026-11-20T03:00:00+00:00",
                "try_number": 2,
                "max_tries": 3,
                "log_url": LOG_URL,
                "airflow_base_url": "http://airflow.example:8080",
                "exception": 'psycopg2.errors.UndefinedColumn: column "customer_idd" does not exist',
                "hostname": "worker-3",
                "operator": "PostgresOperator",
                "owner": "data-platform",
                "tags": ["orders"],
                "dag_file": "/opt/airflow/dags/daily_orders.py",
            },
        )

    def test_event_is_posted_as_built(self):
        context = airflow2_context()
        with Webhook() as server:
            self.fast_callback(server.url)(context)
        self.assertEqual(server.events(), [cb.build_event(context)])

    def test_airflow_base_url_from_the_environment(self):
        os.environ["AIRFLOW__API__BASE_URL"] = "https://airflow3.example/"
        self.assertEqual(cb.build_event(airflow2_context())["airflow_base_url"], "https://airflow3.example")
        os.environ["AIRFLOW__WEBSERVER__BASE_URL"] = "https://airflow2.example"
        self.assertEqual(cb.build_event(airflow2_context())["airflow_base_url"], "https://airflow2.example")

    def test_execution_date_fallback(self):
        context = airflow2_context()
        del context["logical_date"]
        context["dag_run"] = NS(run_id=RUN_ID, execution_date=LOGICAL_DATE)
        self.assertEqual(cb.build_event(context)["logical_date"], "2026-11-20T03:00:00+00:00")

    def test_airflow3_context_without_task_instance(self):
        event = cb.build_event(airflow3_context())
        self.assertEqual(event["dag_id"], "daily_orders")
        self.assertEqual(event["task_id"], "load_orders")
        self.assertEqual(event["run_id"], "manual__2026-11-20T03:00:00+00:00")
        self.assertEqual(event["exception"], "ValueError: boom")
        self.assertEqual(event["operator"], "SQLExecuteQueryOperator")
        self.assertEqual(event["owner"], "data-platform")
        self.assertEqual(event["tags"], ["finance", "orders"])
        for absent in ("logical_date", "log_url", "airflow_base_url", "try_number", "max_tries", "log"):
            self.assertNotIn(absent, event)
        self.assertNotIn(None, event.values(), "unknown values are omitted, not null")

    def test_airflow3_runtime_task_instance(self):
        event = cb.build_event(airflow3_context(with_ti=True))
        self.assertEqual(event["try_number"], 1)
        self.assertEqual(event["max_tries"], 0)
        self.assertNotIn("log_url", event)
        self.assertNotIn("logical_date", event)
        self.assertEqual(event["hostname"], socket.gethostname())  # the callback runs on the worker
        with Webhook() as server:
            self.fast_callback(server.url)(airflow3_context(with_ti=True))
        self.assertEqual(len(server.requests), 1)
        self.assertTrue(server.requests[0]["verified"])

    def test_properties_that_raise_are_tolerated(self):
        class ExplodingTI:
            dag_id = "daily_orders"
            task_id = "load_orders"
            run_id = RUN_ID

            @property
            def log_url(self):
                raise RuntimeError("no config")

            @property
            def task(self):
                raise AttributeError("task not set")

        context = airflow2_context()
        context["task_instance"] = context["ti"] = ExplodingTI()
        event = cb.build_event(context)
        self.assertEqual(event["task_id"], "load_orders")
        self.assertNotIn("log_url", event)

    def test_nothing_identifiable_is_not_sent(self):
        with Webhook() as server, self.assertLogs("de_agent", level="WARNING") as logs:
            self.fast_callback(server.url)({"exception": ValueError("x")})
        self.assertEqual(server.requests, [])
        self.assertIn("dag_id/task_id", "\n".join(logs.output))


class ExceptionFormatTest(unittest.TestCase):
    def test_module_qualified_name(self):
        self.assertEqual(
            cb.format_exception(UndefinedColumn()),
            'psycopg2.errors.UndefinedColumn: column "customer_idd" does not exist',
        )

    def test_builtins_are_bare(self):
        self.assertEqual(cb.format_exception(KeyError("order_id")), "KeyError: 'order_id'")
        self.assertEqual(cb.format_exception(ZeroDivisionError("division by zero")), "ZeroDivisionError: division by zero")

    def test_nested_class_uses_qualname(self):
        class Outer:
            class Inner(Exception):
                pass

        self.assertEqual(
            cb.format_exception(Outer.Inner("x")),
            __name__ + ".ExceptionFormatTest.test_nested_class_uses_qualname.<locals>.Outer.Inner: x",
        )

    def test_empty_message_and_strings(self):
        cls = type("AirflowTaskTimeout", (Exception,), {"__module__": "airflow.exceptions"})
        self.assertEqual(cb.format_exception(cls()), "airflow.exceptions.AirflowTaskTimeout")
        self.assertEqual(cb.format_exception("Task received SIGTERM signal"), "Task received SIGTERM signal")
        self.assertIsNone(cb.format_exception(None))

    def test_exception_is_redacted_in_the_event(self):
        context = airflow2_context(exception=RuntimeError("connect failed: postgres://etl:hunter2@db:5432/shop"))
        self.assertEqual(cb.build_event(context)["exception"], "RuntimeError: connect failed: postgres://etl:***@db:5432/shop")


class RedactionTest(unittest.TestCase):
    def test_key_value_pairs(self):
        self.assertEqual(cb.redact("password=hunter2 user=bob"), "password=*** user=bob")
        self.assertEqual(cb.redact("PASSWD: s3cr3t"), "PASSWD: ***")
        self.assertEqual(cb.redact("?token=abc123&x=1"), "?token=***&x=1")
        self.assertEqual(cb.redact("client_secret='xyz'"), "client_secret='***'")
        self.assertEqual(cb.redact("API_KEY=k-123, next"), "API_KEY=***, next")
        self.assertEqual(cb.redact('{"api-key": "k-1", "db_password": "p"}'), '{"api-key": "***", "db_password": "***"}')
        self.assertEqual(cb.redact("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG"), "aws_secret_access_key = ***")

    def test_authorization_headers(self):
        self.assertEqual(cb.redact("Authorization: Bearer eyJhbGciOi.J9x-y_z"), "Authorization: Bearer ***")
        self.assertEqual(cb.redact("authorization=Basic dXNlcjpwYXNz"), "authorization=Basic ***")
        self.assertEqual(cb.redact("sent bearer abcdefgh12345678"), "sent bearer ***")

    def test_aws_key_ids_and_url_passwords(self):
        self.assertEqual(cb.redact("key AKIAIOSFODNN7EXAMPLE used"), "key *** used")
        self.assertEqual(cb.redact("postgres://user:pass@host/db"), "postgres://user:***@host/db")
        self.assertEqual(cb.redact("postgresql+psycopg2://u:p@ss@h:5432/d"), "postgresql+psycopg2://u:***@h:5432/d")
        self.assertEqual(cb.redact("https://example.com:443/path"), "https://example.com:443/path")

    def test_ordinary_text_is_untouched(self):
        text = 'FATAL:  password authentication failed for user "etl"\nKeyError: \'token\''
        self.assertEqual(cb.redact(text), text)
        self.assertEqual(cb.redact(""), "")
        self.assertIsNone(cb.redact(None))


class LogTailTest(CallbackTestCase):
    def test_log_tail_from_the_default_layout(self):
        lines = ["[2026-11-20T03:00:%02d] line %04d\n" % (i % 60, i) for i in range(2000)]
        content = "".join(lines) + 'psycopg2.errors.UndefinedColumn: column "customer_idd" does not exist\n'
        self.write_log(content)
        event = cb.build_event(airflow2_context(), log_tail_bytes=1000)
        tail = event["log"]
        self.assertLessEqual(len(tail.encode("utf-8")), 1000)
        self.assertTrue(tail.endswith('column "customer_idd" does not exist\n'))
        self.assertTrue(tail.startswith("[2026-11-20T03:00:"), "partial first line dropped: %r" % tail[:40])
        self.assertIn(tail.splitlines()[0] + "\n", lines)

    def test_whole_small_log_is_kept(self):
        self.write_log("first line\nsecond line\n")
        self.assertEqual(cb.build_event(airflow2_context())["log"], "first line\nsecond line\n")

    def test_a_cut_exactly_at_a_line_start_keeps_that_line(self):
        self.write_log("aaaa\nbbbb\ncccc\n")
        self.assertEqual(cb.build_event(airflow2_context(), log_tail_bytes=10)["log"], "bbbb\ncccc\n")
        self.assertEqual(cb.build_event(airflow2_context(), log_tail_bytes=9)["log"], "cccc\n")

    def test_invalid_utf8_is_replaced(self):
        self.write_log(b"ok\n\xff\xfe broken\n")
        self.assertEqual(cb.build_event(airflow2_context())["log"], "ok\n\ufffd\ufffd broken\n")

    def test_mapped_task_log(self):
        self.write_log("mapped index 4 failed\n", map_index=4)
        context = airflow2_context(map_index=4)
        self.assertEqual(cb.build_event(context)["log"], "mapped index 4 failed\n")
        self.assertNotIn("log", cb.build_event(airflow2_context(map_index=5)))

    def test_log_dir_override(self):
        other = os.path.join(self.home, "elsewhere")
        self.write_log("from the override\n", base=other)
        self.assertNotIn("log", cb.build_event(airflow2_context()))
        os.environ["DE_AGENT_LOG_DIR"] = other
        self.assertEqual(cb.build_event(airflow2_context())["log"], "from the override\n")

    def test_missing_log_is_omitted_and_zero_disables(self):
        self.assertNotIn("log", cb.build_event(airflow2_context()))
        self.write_log("something\n")
        self.assertNotIn("log", cb.build_event(airflow2_context(), log_tail_bytes=0))

    def test_log_is_redacted_and_sent(self):
        self.write_log("connecting with password=hunter2\nAuthorization: Bearer abc.def.ghi\nkey AKIAIOSFODNN7EXAMPLE\n")
        with Webhook() as server:
            self.fast_callback(server.url)(airflow2_context())
        sent = server.events()[0]["log"]
        self.assertEqual(sent, "connecting with password=***\nAuthorization: Bearer ***\nkey ***\n")
        self.assertNotIn(b"hunter2", server.requests[0]["body"])


class DeliveryTest(CallbackTestCase):
    def test_retry_on_503_then_success(self):
        answers = [(503, {"error": "busy"}), (503, {"error": "busy"}), (202, {"status": "accepted"})]
        with Webhook(answers=answers) as server:
            self.fast_callback(server.url, retries=3)(airflow2_context())
        self.assertEqual(len(server.requests), 3)
        self.assertTrue(all(r["verified"] for r in server.requests))
        self.assertEqual(len({r["body"] for r in server.requests}), 1, "same body on every attempt")
        gaps = [b["at"] - a["at"] for a, b in zip(server.requests, server.requests[1:])]
        self.assertGreaterEqual(gaps[0], 0.04)
        self.assertGreaterEqual(gaps[1], 0.09, "backoff doubles")

    def test_retry_on_429_and_duplicate_200_is_success(self):
        answers = [(429, {"error": "slow down"}), (200, {"status": "duplicate"})]
        with Webhook(answers=answers) as server, self.assertLogs("de_agent", level="INFO") as logs:
            self.fast_callback(server.url)(airflow2_context())
        self.assertEqual(len(server.requests), 2)
        self.assertIn("already known", "\n".join(logs.output))

    def test_no_retry_on_400(self):
        with Webhook(answers=[(400, {"error": "dag_id is required"})]) as server:
            with self.assertLogs("de_agent", level="WARNING") as logs:
                self.fast_callback(server.url, retries=3)(airflow2_context())
        self.assertEqual(len(server.requests), 1)
        self.assertIn("HTTP 400: dag_id is required", "\n".join(logs.output))

    def test_retries_exhausted_on_500(self):
        with Webhook(answers=[(500, {"error": "oops"})]) as server:
            with self.assertLogs("de_agent", level="WARNING") as logs:
                self.fast_callback(server.url, retries=2)(airflow2_context())
        self.assertEqual(len(server.requests), 3)
        self.assertIn("after 3 attempt(s): HTTP 500: oops", "\n".join(logs.output))

    def test_server_down_returns_quickly_without_raising(self):
        callback = self.fast_callback(closed_port_url(), retries=2)
        started = time.monotonic()
        with self.assertLogs("de_agent", level="WARNING") as logs:
            callback(airflow2_context())
        self.assertLess(time.monotonic() - started, 2.0)
        self.assertIn("could not deliver", "\n".join(logs.output))

    def test_server_that_never_answers_times_out(self):
        with Webhook(answers=[("hang", 5.0)]) as server:
            callback = self.fast_callback(server.url, timeout=0.3, retries=1, backoff=0.05)
            started = time.monotonic()
            with self.assertLogs("de_agent", level="WARNING") as logs:
                callback(airflow2_context())
            elapsed = time.monotonic() - started
        self.assertEqual(len(server.requests), 2, "a timeout is retried")
        self.assertGreaterEqual(elapsed, 0.6)
        self.assertLess(elapsed, 0.3 * 2 + 0.05 + 1.0)
        self.assertIn("timed out", "\n".join(logs.output))

    def test_fresh_timestamp_on_each_attempt(self):
        answers = [(503, {}), (202, {})]
        with Webhook(answers=answers) as server, mock.patch.object(cb, "_unix_time", side_effect=[1700000000.5, 1700000042.9]):
            self.fast_callback(server.url)(airflow2_context())
        stamps = [r["headers"]["x-de-agent-timestamp"] for r in server.requests]
        self.assertEqual(stamps, ["1700000000", "1700000042"])
        self.assertTrue(all(r["verified"] for r in server.requests))

    def test_redirect_is_not_followed(self):
        with Webhook(answers=[(308, {})]) as server, self.assertLogs("de_agent", level="WARNING") as logs:
            self.fast_callback(server.url)(airflow2_context())
        self.assertEqual(len(server.requests), 1)
        self.assertIn("redirect", "\n".join(logs.output))

    def test_missing_url_sends_nothing(self):
        with Webhook() as server:
            with self.assertLogs("de_agent", level="WARNING") as logs:
                cb.on_failure_callback(airflow2_context())
                cb.make_callback(secret=SECRET)(airflow2_context())
        self.assertEqual(server.requests, [])
        self.assertIn("DE_AGENT_URL is not set", "\n".join(logs.output))

    def test_non_http_url_is_refused(self):
        with self.assertLogs("de_agent", level="WARNING") as logs:
            cb.make_callback(url="file:///etc/passwd", secret=SECRET)(airflow2_context())
        self.assertIn("http(s)", "\n".join(logs.output))

    def test_garbage_context_never_raises(self):
        callback = self.fast_callback(closed_port_url(), retries=0)
        with self.assertLogs("de_agent", level="WARNING") as logs:
            for context in (None, {}, 42, "ctx", {"task_instance": object(), "dag": 3}):
                callback(context)  # must not raise
        self.assertEqual(len(logs.output), 5)

    def test_unexpected_internal_error_is_swallowed(self):
        with mock.patch.object(cb, "build_events", side_effect=RuntimeError("bug")):
            with self.assertLogs("de_agent", level="WARNING") as logs:
                cb.make_callback(url="http://127.0.0.1:9", secret=SECRET)(airflow2_context())
        self.assertIn("failed (ignored)", "\n".join(logs.output))


class DagLevelTest(CallbackTestCase):
    def dag_context(self, failed, get_task_instances=None):
        dag = NS(
            dag_id="daily_orders",
            tags=["orders"],
            default_args={"owner": "data-platform"},
            get_task=lambda task_id: NS(task_id=task_id, owner="team-" + task_id, task_type="BashOperator"),
        )
        calls = []

        def default_get_task_instances(state=None):
            calls.append(state)
            everything = failed + [NS(dag_id="daily_orders", task_id="ok_task", run_id=RUN_ID, try_number=1, state="success")]
            return [ti for ti in everything if state is None or ti.state == state]

        dag_run = NS(
            dag_id="daily_orders",
            run_id=RUN_ID,
            logical_date=LOGICAL_DATE,
            get_task_instances=get_task_instances or default_get_task_instances,
        )
        # Airflow 2 puts the last task instance of the run in a DAG-level context too
        last = NS(dag_id="daily_orders", task_id="ok_task", run_id=RUN_ID, try_number=1, state="success")
        context = {"dag": dag, "dag_run": dag_run, "run_id": RUN_ID, "reason": "task_failure", "ti": last, "task_instance": last}
        return context, calls

    def failed_ti(self, task_id, try_number=1):
        return NS(
            dag_id="daily_orders",
            task_id=task_id,
            run_id=RUN_ID,
            try_number=try_number,
            max_tries=1,
            state="failed",
            map_index=-1,
            hostname="worker-1",
            operator="BashOperator",
            log_url="http://airflow.example/log?task_id=" + task_id,
        )

    def test_one_event_per_failed_task_instance(self):
        self.write_log("extract blew up\n", task="extract", attempt=2)
        context, calls = self.dag_context([self.failed_ti("extract", 2), self.failed_ti("load")])
        with Webhook() as server:
            self.fast_callback(server.url)(context)
        self.assertEqual(calls, ["failed"])
        events = server.events()
        self.assertEqual([e["task_id"] for e in events], ["extract", "load"])
        self.assertTrue(all(r["verified"] for r in server.requests))
        first = events[0]
        self.assertEqual(first["run_id"], RUN_ID)
        self.assertEqual(first["logical_date"], "2026-11-20T03:00:00+00:00")
        self.assertEqual(first["try_number"], 2)
        self.assertEqual(first["hostname"], "worker-1")
        self.assertEqual(first["owner"], "team-extract")
        self.assertEqual(first["tags"], ["orders"])
        self.assertEqual(first["log"], "extract blew up\n")
        self.assertEqual(first["airflow_base_url"], "http://airflow.example")
        self.assertNotIn("exception", first)

    def test_no_failed_task_instance_posts_a_dag_event(self):
        context, _ = self.dag_context([])
        context["reason"] = "timed_out"
        with Webhook() as server:
            self.fast_callback(server.url)(context)
        self.assertEqual(
            server.events(),
            [
                {
                    "dag_id": "daily_orders",
                    "task_id": "__dag__",
                    "run_id": RUN_ID,
                    "logical_date": "2026-11-20T03:00:00+00:00",
                    "exception": "timed_out",
                    "owner": "data-platform",
                    "tags": ["orders"],
                }
            ],
        )

    def test_listing_that_fails_posts_a_dag_event(self):
        def broken(state=None):
            raise RuntimeError("no database session here")

        context, _ = self.dag_context([], get_task_instances=broken)
        del context["ti"], context["task_instance"]
        with Webhook() as server:
            self.fast_callback(server.url)(context)
        self.assertEqual([(e["task_id"], e["exception"]) for e in server.events()], [("__dag__", "task_failure")])

    def test_airflow3_dag_context_without_dag_run(self):
        context = {"dag": NS(dag_id="daily_orders", tags=set()), "run_id": RUN_ID, "reason": "task_failure"}
        event = cb.build_event(context)
        self.assertEqual(event, {"dag_id": "daily_orders", "task_id": "__dag__", "run_id": RUN_ID, "exception": "task_failure"})

    def test_unreachable_server_stops_after_the_first_event(self):
        context, _ = self.dag_context([self.failed_ti("t%d" % i) for i in range(10)])
        callback = self.fast_callback(closed_port_url(), retries=1)
        started = time.monotonic()
        with self.assertLogs("de_agent", level="WARNING") as logs:
            callback(context)
        self.assertLess(time.monotonic() - started, 2.0)
        self.assertEqual(sum("could not deliver" in line for line in logs.output), 1)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    unittest.main()
