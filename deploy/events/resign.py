#!/usr/bin/env python3
"""Re-sign a sample API Gateway event of this folder with a secret, at the current time (or --timestamp).

The samples carry signatures made at a fixed time in the past, which Bolt and the webhook refuse as stale (more
than 5 minutes old). Before `sam local invoke AckFunction -e ...`, make a fresh copy:

    python3 deploy/events/resign.py deploy/events/slack-alert-message.json --secret "$SLACK_SIGNING_SECRET" > /tmp/e.json
    python3 deploy/events/resign.py deploy/events/airflow-webhook.json --secret "$DE_AGENT_WEBHOOK_SECRET" > /tmp/w.json

Slack requests are signed "v0:<ts>:<body>" (X-Slack-Signature, X-Slack-Request-Timestamp); the Airflow webhook
"v1:<ts>:<body>" (X-DE-Agent-Signature, X-DE-Agent-Timestamp). Standard library only.
"""
import argparse
import base64
import hashlib
import hmac
import json
import sys
import time


def resign(event: dict, secret: str, timestamp: int) -> dict:
    headers = event.setdefault("headers", {})
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode("utf-8")
    if "x-slack-signature" in headers:
        base = b"v0:" + str(timestamp).encode() + b":" + raw
        headers["x-slack-request-timestamp"] = str(timestamp)
        headers["x-slack-signature"] = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    elif "x-de-agent-signature" in headers:
        base = b"v1:" + str(timestamp).encode() + b":" + raw
        headers["x-de-agent-timestamp"] = str(timestamp)
        headers["x-de-agent-signature"] = "v1=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    else:
        raise SystemExit("resign.py: the event has neither x-slack-signature nor x-de-agent-signature headers")
    return event


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("event", help="an API Gateway HTTP API (payload 2.0) event JSON file")
    p.add_argument("--secret", required=True, help="the Slack signing secret or the webhook secret")
    p.add_argument("--timestamp", type=int, default=None, help="Unix seconds (default: now)")
    args = p.parse_args()
    with open(args.event, encoding="utf-8") as f:
        event = json.load(f)
    ts = args.timestamp if args.timestamp is not None else int(time.time())
    json.dump(resign(event, args.secret, ts), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
