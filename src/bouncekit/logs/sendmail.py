"""Sendmail log messages (``sendmail[pid]:`` / ``sm-mta[pid]:``) that state delivery results.

One line per delivery attempt, recipients comma-separated (Sendmail Installation and Operation
Guide, "Log levels"; op.me)::

    QID: to=<a@b>,<c@d>, ctladdr=.., delay=00:00:01, xdelay=.., mailer=esmtp, pri=.., relay=mx.b. [1.2.3.4],
         dsn=5.1.1, stat=User unknown
    QID: to=<a@b>, ..., dsn=2.0.0, stat=Sent (QID2 Message accepted for delivery)
    QID: to=<a@b>, ..., dsn=4.0.0, stat=Deferred: Connection refused by mx.b.

``from=<s>, size=.., msgid=<..>`` gives sender and Message-ID; refusals of incoming mail are
``ruleset=check_rcpt, arg1=<rcpt>, relay=host [ip], reject=550 5.7.1 <rcpt>... Relaying denied``.
"""

from __future__ import annotations

import re

from .correlate import Correlation
from .record import LogFacts

_QID = re.compile(r"(?:NOQUEUE|[0-9A-Za-z]{8,20}): ")
_FIELD = re.compile(r"(?:^|, )(?P<key>[a-z][a-z0-9_]{0,15})=")
_RELAY_HOST = re.compile(r"(?P<host>[^\s\[]{1,255}?)\.? \[")


def _fields(text: str) -> dict[str, str]:
    """``key=value, key=value`` where a value may itself hold ", " (to= lists, stat= text): values end
    where the next known-looking key starts; stat= and reject= always run to the end of the line."""
    found: dict[str, str] = {}
    keys = list(_FIELD.finditer(text))
    for i, m in enumerate(keys):
        key = m.group("key")
        end = len(text) if key in ("stat", "reject") or i + 1 == len(keys) else keys[i + 1].start()
        found.setdefault(key, text[m.end():end])
        if key in ("stat", "reject"):
            break
    return found


def _recipients(value: str) -> list[str]:
    return [a.strip().strip("<>") for a in value.split(",") if a.strip().strip("<>")]


def _action(stat: str, dsn: str) -> str:
    lowered = stat.lower()
    if lowered.startswith("sent") or dsn.startswith("2."):
        return "delivered"
    if lowered.startswith(("deferred", "queued")) or dsn.startswith("4."):
        return "delayed"
    return "failed"


def read(message: str, state: Correlation | None) -> list[LogFacts] | None:
    """The delivery results one Sendmail message states; [] for another Sendmail line."""
    m = _QID.match(message)
    if m is None:
        return [] if message.startswith(("ruleset=", "STARTTLS", "AUTH=")) else None
    queue_id = message[:m.end() - 2]
    if queue_id == "NOQUEUE":
        queue_id = ""
    rest = message[m.end():]
    if rest.startswith("from="):
        if state is not None:
            fields = _fields(rest)
            info = state.info(queue_id)
            info.sender = fields.get("from", "").strip("<>")
            info.message_id = fields.get("msgid", "").strip("<>")
        return []
    if rest.startswith("to="):
        fields = _fields(rest)
        stat = fields.get("stat", "")
        if not stat:
            return []
        dsn = fields.get("dsn", "")
        relay = fields.get("relay", "")
        host = _RELAY_HOST.match(relay)
        text = stat.split(":", 1)[1].strip() if stat.lower().startswith("deferred:") else stat
        found = []
        for recipient in _recipients(fields.get("to", "")):
            facts = LogFacts(recipient=recipient, action=_action(stat, dsn),
                             log_status=stat.split(" ", 1)[0].rstrip(":"), status=dsn, diagnostic_code=text,
                             relay=relay, remote_mta=host.group("host") if host else "", queue_id=queue_id)
            if state is not None:
                state.attach(facts)
            found.append(facts)
        return found
    if rest.startswith("ruleset=check_rcpt"):
        fields = _fields(rest)
        reject = fields.get("reject", "")
        if not reject:
            return []
        return [LogFacts(recipient=fields.get("arg1", "").strip("<>"),
                         action="delayed" if reject.startswith("4") else "failed", log_status="reject", inbound=True,
                         diagnostic_code=reject, smtp_command="RCPT", client=fields.get("relay", ""),
                         queue_id=queue_id)]
    return []
