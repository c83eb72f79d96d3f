"""de-agent failure callback for Apache Airflow (2.x and 3.x).

Drop this file into the DAGs folder (or plugins / anything on PYTHONPATH) and use it as
``on_failure_callback``::

    from de_agent_callback import on_failure_callback

    default_args = {"on_failure_callback": on_failure_callback}      # task level
    DAG(..., on_failure_callback=on_failure_callback)                 # DAG level

It builds a failure event from the Airflow context, signs it with HMAC-SHA256 and POSTs it to the
de-agent server's ``/webhooks/airflow`` endpoint. It never raises into Airflow: every problem is
logged as a warning on the ``de_agent`` logger and the callback returns.

Configuration (environment, read at call time):
    DE_AGENT_URL              base URL of the de-agent server, e.g. http://de-agent:3000
    DE_AGENT_WEBHOOK_SECRET   shared HMAC secret (without it the server answers 401)
    DE_AGENT_LOG_DIR          optional: base directory of the local task logs

Standard library only; Python 3.8+.
"""

import hashlib
import hmac
import json
import logging
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Tuple, Union

__all__ = [
    "on_failure_callback",
    "make_callback",
    "build_event",
    "build_events",
    "sign",
    "redact",
    "format_exception",
    "send_event",
]

__version__ = "0.1.0"

log = logging.getLogger("de_agent")

WEBHOOK_PATH = "/webhooks/airflow"
TIMESTAMP_HEADER = "X-DE-Agent-Timestamp"
SIGNATURE_HEADER = "X-DE-Agent-Signature"
DAG_LEVEL_TASK_ID = "__dag__"

DEFAULT_TIMEOUT = 5.0
DEFAULT_RETRIES = 3
DEFAULT_LOG_TAIL_BYTES = 65536
DEFAULT_BACKOFF = 0.5

# A DAG-level callback posts one event per failed task instance, at most this many.
MAX_DAG_LEVEL_EVENTS = 25
# The exception text is capped (characters); the log tail is capped by log_tail_bytes.
MAX_EXCEPTION_CHARS = 16384

# outcomes of send_event
DELIVERED = "delivered"  # 2xx
REJECTED = "rejected"  # a 3xx/4xx answer that is not worth retrying
UNREACHABLE = "unreachable"  # connection errors / timeouts / 5xx until retries ran out

_RETRYABLE_STATUS = (408, 429)


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------


def on_failure_callback(context):
    """The callback to set as ``on_failure_callback=``; configured through the environment."""
    _invoke(context, None, None, DEFAULT_TIMEOUT, DEFAULT_RETRIES, DEFAULT_LOG_TAIL_BYTES, DEFAULT_BACKOFF)


def make_callback(
    url=None,
    secret=None,
    timeout=DEFAULT_TIMEOUT,
    retries=DEFAULT_RETRIES,
    log_tail_bytes=DEFAULT_LOG_TAIL_BYTES,
    backoff=DEFAULT_BACKOFF,
):
    """Returns a failure callback with explicit settings.

    ``url`` and ``secret`` fall back to DE_AGENT_URL / DE_AGENT_WEBHOOK_SECRET (read when the
    callback runs). ``retries`` is the number of retries after the first attempt; the waits between
    attempts are ``backoff``, ``2*backoff``, ``4*backoff`` ... seconds.
    """

    def de_agent_on_failure_callback(context):
        _invoke(context, url, secret, timeout, retries, log_tail_bytes, backoff)

    return de_agent_on_failure_callback


def sign(secret, timestamp, body):
    # type: (Union[bytes, str], str, bytes) -> str
    """The value of the X-DE-Agent-Signature header: ``v1=`` + lowercase hex
    HMAC-SHA256(secret, b"v1:" + timestamp + b":" + body)."""
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    ts = timestamp if isinstance(timestamp, bytes) else str(timestamp).encode("ascii")
    message = b"v1:" + ts + b":" + bytes(body)
    return "v1=" + hmac.new(key, message, hashlib.sha256).hexdigest()


def build_event(context, log_tail_bytes=DEFAULT_LOG_TAIL_BYTES):
    # type: (Any, int) -> Dict[str, Any]
    """The event for a task-level failure context. For a DAG-level context (one with ``reason``)
    this is the DAG-level event (``task_id`` = ``__dag__``, ``exception`` = the reason); see
    :func:`build_events` for the per-task-instance expansion."""
    if _is_dag_level(context):
        return _dag_event(context)
    return _task_event(context, _context_ti(context), log_tail_bytes, task_level=True)


def build_events(context, log_tail_bytes=DEFAULT_LOG_TAIL_BYTES):
    # type: (Any, int) -> List[Dict[str, Any]]
    """All events for a context: one for a task-level callback; for a DAG-level callback one per
    failed task instance of the run (if they can be listed), else a single ``__dag__`` event."""
    if not _is_dag_level(context):
        return [build_event(context, log_tail_bytes)]
    events = []  # type: List[Dict[str, Any]]
    for ti in _failed_task_instances(context)[:MAX_DAG_LEVEL_EVENTS]:
        try:
            events.append(_task_event(context, ti, log_tail_bytes, task_level=False))
        except Exception:  # one odd task instance must not hide the others
            log.debug("de-agent: could not build an event for %r", ti, exc_info=True)
    events = [e for e in events if e.get("dag_id") and e.get("task_id")]
    return events or [_dag_event(context)]


def format_exception(exc):
    # type: (Any) -> Optional[str]
    """``module.ClassName: message`` (``ClassName: message`` for builtins); strings stay as is."""
    if exc is None:
        return None
    if isinstance(exc, bytes):
        return exc.decode("utf-8", errors="replace")
    if isinstance(exc, str):
        return exc
    if isinstance(exc, BaseException):
        cls = type(exc)
        name = getattr(cls, "__qualname__", None) or cls.__name__
        module = getattr(cls, "__module__", None)
        full = name if module in (None, "builtins") else module + "." + name
        try:
            message = str(exc)
        except Exception:
            message = ""
        return full + ": " + message if message else full
    try:
        return str(exc)
    except Exception:
        return None


def send_event(event, url, secret=None, timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES, backoff=DEFAULT_BACKOFF):
    # type: (Dict[str, Any], str, Optional[Union[bytes, str]], float, int, float) -> str
    """POSTs one event to the webhook URL (already resolved, see :func:`webhook_url`).

    Returns DELIVERED, REJECTED or UNREACHABLE; never raises for network problems.
    """
    body = json.dumps(event, separators=(",", ":"), default=str).encode("utf-8")
    key = _secret_bytes(secret)
    timeout = float(timeout) if timeout and timeout > 0 else DEFAULT_TIMEOUT
    retries = max(0, int(retries or 0))
    backoff = max(0.0, float(backoff or 0.0))
    waits = [backoff * (2**i) for i in range(retries)]
    deadline = time.monotonic() + timeout * (retries + 1) + sum(waits) + 1.0
    opener = urllib.request.build_opener(_NoRedirect)
    what = "%s.%s" % (event.get("dag_id"), event.get("task_id"))

    attempt = 0
    last_problem = "no attempt made"
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        headers = {"Content-Type": "application/json", "User-Agent": "de-agent-airflow-callback/" + __version__}
        if key:
            timestamp = str(int(_unix_time()))  # fresh on every attempt
            headers[TIMESTAMP_HEADER] = timestamp
            headers[SIGNATURE_HEADER] = sign(key, timestamp, body)
        try:
            status, answer = _post_once(opener, url, body, headers, min(timeout, remaining))
        except ValueError as e:  # malformed URL: retrying cannot help
            log.warning("de-agent: cannot post the failure event for %s to %s: %s", what, _safe_url(url), e)
            return REJECTED
        except Exception as e:  # connection refused/reset, DNS, timeouts, broken HTTP
            status, answer = None, None
            last_problem = _describe_network_error(e)

        if status is not None:
            if 200 <= status < 300:
                log.info(
                    "de-agent: failure event for %s %s (HTTP %d)",
                    what,
                    "already known to the server" if status == 200 else "accepted",
                    status,
                )
                return DELIVERED
            message = _server_message(answer)
            if not (status in _RETRYABLE_STATUS or status >= 500):
                if status == 401 and not key:
                    log.warning(
                        "de-agent: the server rejected the unsigned failure event for %s (HTTP 401%s); "
                        "DE_AGENT_WEBHOOK_SECRET is not set",
                        what,
                        ": " + message if message else "",
                    )
                elif 300 <= status < 400:
                    log.warning(
                        "de-agent: the server answered a redirect (HTTP %d) for %s; check DE_AGENT_URL (%s)",
                        status,
                        what,
                        _safe_url(url),
                    )
                else:
                    log.warning(
                        "de-agent: the server rejected the failure event for %s (HTTP %d%s)",
                        what,
                        status,
                        ": " + message if message else "",
                    )
                return REJECTED
            last_problem = "HTTP %d%s" % (status, ": " + message if message else "")

        if attempt >= retries:
            break
        wait = min(waits[attempt], max(0.0, deadline - time.monotonic()))
        attempt += 1
        if wait > 0:
            time.sleep(wait)

    log.warning(
        "de-agent: could not deliver the failure event for %s to %s after %d attempt(s): %s",
        what,
        _safe_url(url),
        attempt + 1,
        last_problem,
    )
    return UNREACHABLE


def webhook_url(url):
    # type: (str) -> str
    """The webhook URL for a configured base URL (kept as is if it already ends with the path)."""
    url = (url or "").strip().rstrip("/")
    if url.endswith(WEBHOOK_PATH):
        return url
    return url + WEBHOOK_PATH


# ---------------------------------------------------------------------------------------------
# redaction
# ---------------------------------------------------------------------------------------------

_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/@]+:)([^\s/]+)(@)")
_AUTHORIZATION = re.compile(r"""(?i)(\bauthorization\s*["']?\s*[:=]\s*["']?(?:bearer|basic|token|digest)?\s*)([^\s"',;]+)""")
_BEARER = re.compile(r"(?i)(\bbearer\s+)([A-Za-z0-9\-._~+/]+=*)")
_KEY_VALUE = re.compile(
    r"""(?i)(\b[\w.\-]*(?:password|passwd|pwd|token|secret|api[_\-]?key|access[_\-]?key|private[_\-]?key)"""
    r"""[\w\-]*["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s"',;&}\])]+)"""
)
_AWS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")


def _mask_value(match):
    value = match.group(2)
    if value[:1] in ("'", '"'):
        return match.group(1) + value[0] + "***" + value[0]
    return match.group(1) + "***"


def redact(text):
    # type: (Optional[str]) -> Optional[str]
    """Masks obvious secrets: URL passwords, Authorization/Bearer values, password=/token=/secret=/
    api_key= style values and AWS access key ids."""
    if not text:
        return text
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + "***" + m.group(3), text)
    text = _AUTHORIZATION.sub(lambda m: m.group(1) + "***", text)
    text = _BEARER.sub(lambda m: m.group(1) + "***", text)
    text = _KEY_VALUE.sub(_mask_value, text)
    text = _AWS_KEY_ID.sub("***", text)
    return text


# ---------------------------------------------------------------------------------------------
# internals: the callback
def on_success_callback(context):
    """Set as ``on_success_callback=``: tells de-agent the task succeeded, so the alerts it raised for the
    task's earlier failures (PagerDuty) are resolved. Sends no log; never raises into Airflow."""
    try:
        base = (os.environ.get("DE_AGENT_URL", "") or "").strip()
        if not base:
            return
        ti = _context_ti(context)
        dag = _ctx(context, "dag")
        event = {"state": "success"}  # type: Dict[str, Any]
        _put(event, "dag_id", _as_str(_first(_attr(ti, "dag_id"), _attr(dag, "dag_id"))))
        _put(event, "task_id", _as_str(_attr(ti, "task_id")))
        _put(event, "run_id", _as_str(_first(_ctx(context, "run_id"), _attr(ti, "run_id"))))
        _put(event, "try_number", _as_int(_attr(ti, "try_number")))
        if not event.get("dag_id") or not event.get("task_id"):
            return
        key = _secret_bytes(os.environ.get("DE_AGENT_WEBHOOK_SECRET"))
        send_event(event, webhook_url(base), key, DEFAULT_TIMEOUT, DEFAULT_RETRIES, DEFAULT_BACKOFF)
    except Exception:
        try:
            log.warning("de-agent: the success callback failed (ignored)", exc_info=True)
        except Exception:
            pass


# ---------------------------------------------------------------------------------------------


def _invoke(context, url, secret, timeout, retries, log_tail_bytes, backoff):
    """Runs the whole callback; swallows every exception."""
    try:
        base = url if url else os.environ.get("DE_AGENT_URL", "")
        base = (base or "").strip()
        if not base:
            log.warning("de-agent: DE_AGENT_URL is not set; the failure event is not sent")
            return
        target = webhook_url(base)
        scheme = urllib.parse.urlsplit(target).scheme.lower()
        if scheme not in ("http", "https"):
            log.warning("de-agent: DE_AGENT_URL must be an http(s) URL, got %r; the failure event is not sent", _safe_url(base))
            return
        key = _secret_bytes(secret if secret else os.environ.get("DE_AGENT_WEBHOOK_SECRET"))
        if not key:
            log.warning("de-agent: DE_AGENT_WEBHOOK_SECRET is not set; sending the failure event unsigned (the server will reject it)")

        events = build_events(context, log_tail_bytes)
        dag_level = _is_dag_level(context)
        for event in events:
            if not event.get("dag_id") or not event.get("task_id"):
                log.warning("de-agent: cannot tell the dag_id/task_id from the Airflow context; the failure event is not sent")
                continue
            outcome = send_event(event, target, key, timeout, retries, backoff)
            if outcome == UNREACHABLE and dag_level and len(events) > 1:
                log.warning("de-agent: the server is unreachable; skipping the remaining failure events of this DAG run")
                break
    except Exception:
        try:
            log.warning("de-agent: the failure callback failed (ignored)", exc_info=True)
        except Exception:
            pass


def _is_dag_level(context):
    return _ctx(context, "reason") is not None


def _context_ti(context):
    ti = _ctx(context, "task_instance")
    return ti if ti is not None else _ctx(context, "ti")


def _task_event(context, ti, log_tail_bytes, task_level):
    dag = _ctx(context, "dag")
    dag_run = _ctx(context, "dag_run")
    task = _attr(ti, "task") if ti is not None else None
    if task is None and task_level:
        task = _ctx(context, "task")

    dag_id = _first(_attr(ti, "dag_id"), _attr(dag, "dag_id"), _attr(dag_run, "dag_id"), _attr(task, "dag_id"))
    task_id = _first(_attr(ti, "task_id"), _attr(task, "task_id"))
    if task is None and dag is not None and task_id:
        task = _call(dag, "get_task", task_id)

    if task_level:
        run_id = _first(_attr(ti, "run_id"), _ctx(context, "run_id"), _attr(dag_run, "run_id"))
    else:
        run_id = _first(_attr(ti, "run_id"), _attr(dag_run, "run_id"), _ctx(context, "run_id"))
    try_number = _as_int(_attr(ti, "try_number"))
    max_tries = _as_int(_attr(ti, "max_tries"))
    log_url = _as_str(_attr(ti, "log_url"))
    hostname = _as_str(_attr(ti, "hostname"))
    if hostname is None and task_level:
        hostname = _hostname()

    event = {}  # type: Dict[str, Any]
    _put(event, "dag_id", _as_str(dag_id))
    _put(event, "task_id", _as_str(task_id))
    _put(event, "run_id", _as_str(run_id))
    _put(event, "logical_date", _logical_date(context, dag_run))
    _put(event, "try_number", try_number)
    _put(event, "max_tries", max_tries)
    _put(event, "log_url", log_url)
    _put(event, "airflow_base_url", _airflow_base_url(log_url))
    if task_level:
        _put(event, "exception", _exception_text(_ctx(context, "exception")))
    if log_tail_bytes and log_tail_bytes > 0:
        text = _log_tail(event.get("dag_id"), event.get("run_id"), event.get("task_id"), _as_int(_attr(ti, "map_index")), try_number, log_tail_bytes)
        _put(event, "log", redact(text) if text else None)
    _put(event, "hostname", hostname)
    _put(event, "operator", _as_str(_first(_attr(ti, "operator"), _attr(task, "task_type"), _attr(task, "operator_name"))))
    _put(event, "owner", _owner(task, dag))
    _put(event, "tags", _tags(dag))
    _put(event, "dag_file", _as_str(_attr(dag, "fileloc")))
    return event


def _dag_event(context):
    dag = _ctx(context, "dag")
    dag_run = _ctx(context, "dag_run")
    event = {}  # type: Dict[str, Any]
    _put(event, "dag_id", _as_str(_first(_attr(dag, "dag_id"), _attr(dag_run, "dag_id"), _attr(_context_ti(context), "dag_id"))))
    _put(event, "task_id", DAG_LEVEL_TASK_ID)
    _put(event, "run_id", _as_str(_first(_ctx(context, "run_id"), _attr(dag_run, "run_id"))))
    _put(event, "logical_date", _logical_date(context, dag_run))
    _put(event, "airflow_base_url", _airflow_base_url(None))
    _put(event, "exception", _exception_text(_ctx(context, "reason")))
    _put(event, "owner", _owner(None, dag))
    _put(event, "tags", _tags(dag))
    return event


def _failed_task_instances(context):
    dag_run = _ctx(context, "dag_run")
    if dag_run is None or not callable(getattr(dag_run, "get_task_instances", None)):
        return []
    try:
        tis = list(dag_run.get_task_instances(state="failed") or [])
    except Exception:
        log.debug("de-agent: dag_run.get_task_instances(state='failed') failed", exc_info=True)
        try:  # some versions want an iterable of states, or none at all
            tis = [ti for ti in (dag_run.get_task_instances() or []) if _state_name(_attr(ti, "state")) == "failed"]
        except Exception:
            log.debug("de-agent: cannot list the task instances of the DAG run", exc_info=True)
            return []
    # keep only the ones that really failed (a fake or a future API may ignore the filter)
    return [ti for ti in tis if _attr(ti, "state") is None or _state_name(_attr(ti, "state")) == "failed"]


def _state_name(state):
    value = getattr(state, "value", state)
    return str(value).lower() if value is not None else None


def _exception_text(exc):
    text = format_exception(exc)
    if not text:
        return None
    if len(text) > MAX_EXCEPTION_CHARS:
        text = text[:MAX_EXCEPTION_CHARS] + "..."
    return redact(text)


def _logical_date(context, dag_run):
    for value in (
        _ctx(context, "logical_date"),
        _attr(dag_run, "logical_date"),
        _ctx(context, "execution_date"),  # Airflow < 2.2 (deprecated key, only read as a fallback)
        _attr(dag_run, "execution_date"),
    ):
        if value is not None:
            return _iso(value)
    return None


def _iso(value):
    iso = getattr(value, "isoformat", None)
    if callable(iso):
        try:
            return str(iso())
        except Exception:
            pass
    return _as_str(value)


def _airflow_base_url(log_url):
    for name in ("AIRFLOW__WEBSERVER__BASE_URL", "AIRFLOW__API__BASE_URL"):
        value = (os.environ.get(name) or "").strip()
        if value:
            return value.rstrip("/")
    if log_url:
        try:
            parts = urllib.parse.urlsplit(log_url)
            if parts.scheme and parts.netloc:
                return parts.scheme + "://" + parts.netloc
        except Exception:
            pass
    return None


def _owner(task, dag):
    owner = _as_str(_attr(task, "owner"))
    if owner:
        return owner
    default_args = _attr(dag, "default_args")
    if isinstance(default_args, dict) and default_args.get("owner"):
        return _as_str(default_args.get("owner"))
    return _as_str(_attr(dag, "owner"))


def _tags(dag):
    tags = _attr(dag, "tags")
    if not tags or isinstance(tags, (str, bytes)):
        return None
    try:
        items = [str(t) for t in tags]
    except Exception:
        return None
    if not isinstance(tags, (list, tuple)):
        items.sort()  # sets (Airflow 3) have no stable order
    return items or None


def _hostname():
    try:
        return socket.gethostname() or None
    except Exception:
        return None


# ---------------------------------------------------------------------------------------------
# internals: the log tail
# ---------------------------------------------------------------------------------------------


def _log_base_dirs():
    override = (os.environ.get("DE_AGENT_LOG_DIR") or "").strip()
    if override:
        return [override]
    dirs = []
    configured = (os.environ.get("AIRFLOW__LOGGING__BASE_LOG_FOLDER") or "").strip()
    if configured:
        dirs.append(configured)
    home = (os.environ.get("AIRFLOW_HOME") or "").strip() or os.path.join(os.path.expanduser("~"), "airflow")
    default = os.path.join(home, "logs")
    if default not in dirs:
        dirs.append(default)
    return dirs


def _safe_component(value):
    return bool(value) and "/" not in value and "\\" not in value and "\x00" not in value and value not in (".", "..")


def _log_tail(dag_id, run_id, task_id, map_index, try_number, max_bytes):
    """The tail of the local task log (Airflow 2.3+ default filename template), or None."""
    if not (_safe_component(dag_id) and _safe_component(run_id) and _safe_component(task_id)) or not try_number:
        return None
    tries = [try_number]
    if try_number > 1:
        tries.append(try_number - 1)  # older Airflow 2 report the next try once the task failed
    for base in _log_base_dirs():
        task_dir = os.path.join(base, "dag_id=" + dag_id, "run_id=" + run_id, "task_id=" + task_id)
        if map_index is not None and map_index >= 0:
            task_dir = os.path.join(task_dir, "map_index=%d" % map_index)
        for attempt in tries:
            path = os.path.join(task_dir, "attempt=%d.log" % attempt)
            try:
                if not os.path.isfile(path):
                    continue
                text = _read_tail(path, max_bytes)
            except Exception:
                log.debug("de-agent: cannot read the task log %s", path, exc_info=True)
                continue
            return text or None
    return None


def _read_tail(path, max_bytes):
    # type: (str, int) -> str
    """The last max_bytes bytes of the file, without a partial first line."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size <= max_bytes:
            f.seek(0)
            data = f.read()
        else:
            start = size - max_bytes
            f.seek(start - 1)  # one byte more: tells whether `start` is at a line start
            data = f.read(max_bytes + 1)
            if data[:1] == b"\n":
                data = data[1:]
            else:
                newline = data.find(b"\n")
                if newline >= 0:
                    data = data[newline + 1 :]
                else:
                    data = data[1:]  # one single huge line: keep its tail
    return data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------------------------------------
# internals: HTTP
# ---------------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is reported, not followed (urllib would turn the POST into a GET)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _post_once(opener, url, body, headers, timeout):
    # type: (Any, str, bytes, Dict[str, str], float) -> Tuple[int, bytes]
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=timeout) as response:
            status = response.getcode()
            answer = response.read(4096)
            return int(status), answer
    except urllib.error.HTTPError as e:
        try:
            answer = e.read(4096) or b""
        except Exception:
            answer = b""
        finally:
            try:
                e.close()
            except Exception:
                pass
        return int(e.code), answer


def _describe_network_error(e):
    reason = getattr(e, "reason", None)
    if isinstance(e, urllib.error.URLError) and reason is not None:
        e = reason if isinstance(reason, BaseException) else e
    if isinstance(e, (socket.timeout, TimeoutError)):
        return "timed out"
    text = str(e) or type(e).__name__
    return "%s: %s" % (type(e).__name__, text) if text != type(e).__name__ else text


def _server_message(answer):
    if not answer:
        return ""
    text = answer.decode("utf-8", errors="replace").strip()
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            for key in ("error", "message", "detail"):
                if parsed.get(key):
                    text = str(parsed[key])
                    break
    except ValueError:
        pass
    text = " ".join(text.split())
    return text[:300] + "..." if len(text) > 300 else text


def _safe_url(url):
    """The URL without user info or query (for log messages)."""
    try:
        parts = urllib.parse.urlsplit(url or "")
        host = parts.hostname or ""
        if parts.port:
            host += ":%d" % parts.port
        return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))
    except Exception:
        return "<invalid url>"


def _unix_time():
    return time.time()


def _secret_bytes(secret):
    if secret is None:
        return None
    if isinstance(secret, str):
        secret = secret.strip()
        return secret.encode("utf-8") if secret else None
    return bytes(secret) if secret else None


# ---------------------------------------------------------------------------------------------
# internals: tolerant access to Airflow objects
# ---------------------------------------------------------------------------------------------


def _ctx(context, key):
    if context is None:
        return None
    try:
        getter = getattr(context, "get", None)
        if callable(getter):
            return getter(key)
        return context[key]
    except Exception:
        return None


def _attr(obj, name):
    if obj is None:
        return None
    try:
        return getattr(obj, name, None)
    except Exception:  # properties may hit the DB or a missing attribute chain
        return None


def _call(obj, name, *args):
    try:
        fn = getattr(obj, name, None)
        return fn(*args) if callable(fn) else None
    except Exception:
        return None


def _first(*values):
    for value in values:
        if value is not None and value != "":
            return value
    return None


def _as_str(value):
    if value is None:
        return None
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:
        return None
    return text if text else None


def _as_int(value):
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except Exception:
        return None


def _put(event, key, value):
    if value is not None and value != "" and value != []:
        event[key] = value
