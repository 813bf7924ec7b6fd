"""The webhook payload and its Stripe-style signature."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from lms_support import SCORECARD, make_practice

from server.lms.webhook import (
    EVENT_SESSION_COMPLETED,
    build_webhook,
    encode_body,
    event_id,
    parse_signature,
    sign,
    verify,
)

SECRET = "whsec_test_5f2c"
NOW = 1_772_000_000


def test_payload_carries_the_session_user_scenario_and_scores() -> None:
    practice = make_practice(session_id="s-web")
    payload = build_webhook(practice, scenario_title="区政府会议室改造")
    assert payload["event"] == EVENT_SESSION_COMPLETED
    assert payload["id"] == event_id("s-web") == build_webhook(make_practice(session_id="s-web"))["id"]
    assert payload["session"]["id"] == "s-web" and payload["session"]["mode"] == "appointment"
    assert payload["user"]["external_id"] == "lms-42" and payload["user"]["display_name"] == "张伟"
    assert payload["scenario"] == {"id": "gov-meeting-room", "title": "区政府会议室改造"}
    assert (payload["overall"], payload["passed"]) == (82, True)
    assert payload["scores"] == {**SCORECARD["scores"], "overall": 82}
    assert payload["scorecard"]["findings"] == SCORECARD["findings"]
    assert payload["ended_at"] == "2026-03-02T09:15:30.250+00:00"
    json.dumps(payload)  # JSON-ready as it is


def test_body_is_stable_utf8_json() -> None:
    payload = build_webhook(make_practice())
    body = encode_body(payload)
    assert body == encode_body(json.loads(body))
    assert "张伟".encode() in body  # not \u-escaped


def test_signature_round_trip() -> None:
    body = encode_body(build_webhook(make_practice()))
    header = sign(SECRET, body, NOW)
    assert header.startswith(f"t={NOW},v1=")
    assert verify(SECRET, body, header, now=NOW + 10)


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    """Receivers in any language can check it: the documented recipe gives the same hex digest."""
    body = b'{"event":"session.completed"}'
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + body, hashlib.sha256).hexdigest()
    assert sign(SECRET, body, NOW) == f"t={NOW},v1={expected}"


@pytest.mark.parametrize("tamper", ["body", "secret", "timestamp", "signature"])
def test_tampering_is_detected(tamper: str) -> None:
    body = encode_body(build_webhook(make_practice()))
    header = sign(SECRET, body, NOW)
    secret = SECRET
    if tamper == "body":
        body = body.replace(b'"overall":82', b'"overall":99')
    elif tamper == "secret":
        secret = "someone-else"
    elif tamper == "timestamp":
        header = header.replace(f"t={NOW}", f"t={NOW + 1}")
    else:
        header = header[:-1] + ("0" if header[-1] != "0" else "1")
    assert not verify(secret, body, header, now=NOW)


def test_old_or_future_timestamps_are_refused() -> None:
    body = b"{}"
    header = sign(SECRET, body, NOW)
    assert verify(SECRET, body, header, now=NOW + 299)
    assert not verify(SECRET, body, header, now=NOW + 301)  # a replay of a captured request
    assert not verify(SECRET, body, header, now=NOW - 301)
    assert verify(SECRET, body, header, now=NOW + 3000, tolerance_s=3600)


@pytest.mark.parametrize("header", ["", "v1=abc", f"t={NOW}", "t=soon,v1=abc", "garbage", f"t={NOW},v0=abc"])
def test_malformed_headers_are_refused(header: str) -> None:
    assert not verify(SECRET, b"{}", header, now=NOW)


def test_any_of_several_signatures_may_match_for_secret_rotation() -> None:
    body = b"{}"
    old = parse_signature(sign("old-secret", body, NOW))[1][0]
    new = parse_signature(sign(SECRET, body, NOW))[1][0]
    header = f"t={NOW},v1={old},v1={new}"
    assert verify(SECRET, body, header, now=NOW) and verify("old-secret", body, header, now=NOW)
    assert not verify("third", body, header, now=NOW)


def test_an_empty_secret_never_signs_nor_verifies() -> None:
    with pytest.raises(ValueError):
        sign("", b"{}", NOW)
    assert not verify("", b"{}", f"t={NOW},v1=x", now=NOW)
