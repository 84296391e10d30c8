"""The generic webhook: the whole alert as JSON, POSTed with an `Idempotency-Key` header (the
receiver drops a resend it has already seen) and, when the target has a shared secret, an
`X-Rumeur-Signature: sha256=<hex>` header, the HMAC-SHA256 of the exact body bytes.

A receiver checks the signature with `verify(body, header, secret)` or its own equivalent:
HMAC-SHA256 over the raw body, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac

import httpx

from rumeur.alerts.notify.http import json_body, post
from rumeur.alerts.notify.message import AlertMessage
from rumeur.settings.notify import WebhookTarget

SIGNATURE_HEADER = "X-Rumeur-Signature"


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, header: str | None, secret: str) -> bool:
    return header is not None and hmac.compare_digest(sign(body, secret), header)


def payload(message: AlertMessage) -> dict[str, object]:
    return {"type": "rumeur.alert", **message.as_dict()}


def send(message: AlertMessage, target: WebhookTarget, client: httpx.Client) -> None:
    body = json_body(payload(message))
    headers = {"Idempotency-Key": message.idempotency_key}
    secret = target.signing_secret()
    if secret is not None:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    post("webhook", target.resolve_url(), body, client, headers)
