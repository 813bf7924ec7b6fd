"""On PostgreSQL a delivery pass skips the due items another worker is claiming (FOR UPDATE SKIP LOCKED)
instead of waiting for them; on SQLite the conditional UPDATE alone decides, as before."""

from __future__ import annotations

import threading

import httpx
from lms_support import Receiver, add_ended_session, add_org
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.db.models import OutboxItem
from server.lms.outbox import DeliveryReport, deliver_due, enqueue_results

BASE = "http://peilian.test"


def test_items_being_claimed_elsewhere_are_skipped_not_waited_for(
    db_factory: sessionmaker[Session], receiver: Receiver, http: httpx.Client
) -> None:
    with db_factory() as db:
        org = add_org(db, webhook=f"{receiver.url}/hook", secret="s3cret")
        first = enqueue_results(db, add_ended_session(db, org), base_url=BASE)[0].id
        second = enqueue_results(db, add_ended_session(db, org), base_url=BASE)[0].id
        db.commit()
    postgres = db_factory.kw["bind"].dialect.name == "postgresql"
    other = db_factory()  # another worker, in the middle of claiming the first item
    if postgres:
        other.execute(select(OutboxItem.id).where(OutboxItem.id == first).with_for_update())
    reports: list[DeliveryReport] = []
    delivering = threading.Thread(target=lambda: reports.append(deliver_due(db_factory, client=http)))
    delivering.start()
    delivering.join(timeout=10)
    blocked = delivering.is_alive()
    other.rollback()  # the other worker is done (and, if the pass was waiting for it, lets it go on)
    other.close()
    delivering.join()
    assert not blocked, "the pass waited for the row another worker had locked"
    [report] = reports
    if postgres:
        assert report.delivered == [second] and report.lost_claims == 0
        assert deliver_due(db_factory, client=http).delivered == [first]  # once released, it goes
    else:
        assert sorted(report.delivered) == sorted([first, second])
    assert len(receiver.requests) == 2
