"""Postfix log messages (the part after ``postfix/<service>[pid]: ``) that state delivery results.

Delivery agents (smtp, lmtp, local, virtual, pipe, error, discard) log one line per recipient::

    QID: to=<rcpt>, [orig_to=<alias>,] relay=host[ip]:25, delay=.., delays=.., dsn=5.1.1, status=bounced
         (host host[ip] said: 550 5.1.1 <rcpt>: User unknown (in reply to RCPT TO command))

with status ``sent``, ``deferred``, ``bounced``, ``expired`` (and the address-verification results
``deliverable`` / ``undeliverable``). smtpd, postscreen and cleanup log refusals::

    NOQUEUE: reject: RCPT from host[ip]: 550 5.1.1 <rcpt>: Recipient address rejected: ...;
             from=<s> to=<r> proto=ESMTP helo=<h>
    QID: milter-reject: END-OF-MESSAGE from host[ip]: 5.7.1 Blocked by SpamAssassin; from=<s> to=<r> ...
    QID: reject: header Subject: ... from host[ip]; from=<s> to=<r> proto=ESMTP helo=<h>: 5.7.1 text

qmgr's ``from=<s>, size=.., nrcpt=..`` gives the sender, cleanup's ``message-id=<..>`` the Message-ID,
smtpd's ``client=`` the client, and qmgr's ``from=<s>, status=expired, returned to sender`` turns the
recipients last deferred into failures (the message expired in the queue). Field names follow
postconf(5) and the Postfix source's log_adhoc.c; the shapes were checked against the corpus logs.
"""

from __future__ import annotations

import re

from .correlate import Correlation
from .record import LogFacts

# A queue id: short hex ids (classic) or the long base-52 ids of enable_long_queue_ids.
_QID = r"[0-9A-Za-z]{5,32}"
# Bounds keep each repetition linear and short on hostile input (an address is at most 256 octets,
# RFC 5321 s4.5.3.1.3; Postfix lines stay under its line_length_limit of 2048 by default).
_STATUS_WORD = re.compile(r"[\w-]{1,40}")
_REJECT = re.compile(rf"(?:(?P<qid>NOQUEUE|{_QID}): )?(?P<kind>reject|milter-reject|proxy-reject): (?P<body>.*)", re.S)
# "RCPT from host[ip]: text" (smtpd, milters), "RCPT from [ip]:port: text" (postscreen)
_STAGE_FROM = re.compile(r"(?P<stage>[A-Z][A-Z-]{1,20}) from (?P<client>[^\s\[]{0,255}\[[^\]]{0,64}\](?::\d{1,5})?): ")
# "END-OF-MESSAGE: text" (before-queue content filter, smtpd_proxy_filter)
_STAGE_ONLY = re.compile(r"(?P<stage>[A-Z][A-Z-]{1,20}): ")
_KV_ADDRESS = re.compile(r"\b(from|to)=<([^>]{0,512})>")
_HOST_SAID = re.compile(r"\bhost (?P<host>[^\s\[]{1,255})\[[^\]]{0,64}\] (?:said|refused to talk to me)")
# Postfix's words for where a session failed when the server sent no reply (smtp_proto.c).
_WHILE = re.compile(r"\bwhile (?:sending|receiving|performing) (?:the )?(?P<what>MAIL FROM|RCPT TO|end of data|"
                    r"message body|DATA|initial (?:server|SMTP) greeting|EHLO|HELO|LHLO|STARTTLS|the EHLO)", re.I)
_WHILE_COMMAND = {"MAIL FROM": "MAIL", "RCPT TO": "RCPT", "END OF DATA": "DATA", "MESSAGE BODY": "DATA",
                  "DATA": "DATA", "INITIAL SERVER GREETING": "CONN", "INITIAL SMTP GREETING": "CONN", "EHLO": "EHLO",
                  "HELO": "EHLO", "LHLO": "EHLO", "STARTTLS": "STARTTLS", "THE EHLO": "EHLO"}
STAGE_COMMAND = {"CONNECT": "CONN", "HELO": "EHLO", "EHLO": "EHLO", "MAIL": "MAIL", "RCPT": "RCPT", "DATA": "DATA",
                 "BDAT": "DATA", "END-OF-MESSAGE": "DATA", "VRFY": "VRFY", "ETRN": "ETRN"}

# status= word -> DSN action (RFC 3464 s2.3.3). SOFTBOUNCE: soft_bounce=yes turned a bounce into a deferral.
ACTIONS = {"sent": "delivered", "deliverable": "delivered", "deferred": "delayed", "softbounce": "delayed",
           "bounced": "failed", "expired": "failed", "force-expired": "failed", "undeliverable": "failed",
           "undeliverable-but-not-cached": "failed"}
EXPIRED = frozenset({"expired", "force-expired"})


def _address(value: str) -> str:
    value = value.strip()
    return value[1:-1] if value[:1] == "<" and value[-1:] == ">" else value


def _field(fields: str, name: str) -> str:
    start = fields.find(name)
    if start < 0 or (start and fields[start - 1] not in " ,"):
        return ""
    start += len(name)
    end = fields.find(",", start)
    value = fields[start:end] if end >= 0 else fields[start:]
    return value.split(" ", 1)[0]


def _relay_host(relay: str) -> str:
    """The host of ``relay=host[ip]:port``; a transport name (local, virtual, dovecot, none) is no host."""
    bracket = relay.find("[")
    return relay[:bracket] if bracket > 0 else ""


def _angle_value(fields: str, start: int) -> str:
    """The value at *start* of ``to=<a@b>, ...`` or ``to=a@b, ...`` (local and pipe may log no brackets)."""
    if fields[start:start + 1] == "<":
        end = fields.find(">", start)
        return fields[start + 1:end] if end >= 0 else ""
    end = fields.find(",", start)
    return (fields[start:end] if end >= 0 else fields[start:]).strip()


def _delivery(message: str, colon: int, state: Correlation | None) -> list[LogFacts] | None:
    """``QID: to=<r>, [orig_to=<a>,] relay=.., ..., dsn=X.Y.Z, status=word (text)``: the fields are
    read with str.find, which is several times faster than one regex over the whole line."""
    queue_id = message[:colon]
    at = message.find(" status=", colon)
    if at < 0 or not queue_id.isalnum() or len(queue_id) > 32:
        return None
    word_match = _STATUS_WORD.match(message, at + 8)
    if word_match is None:
        return None
    log_status = word_match.group(0)
    word = log_status.lower()
    action = ACTIONS.get(word)
    if action is None:
        return []
    fields = message[colon + 2:at]
    rest = message[word_match.end():].strip()
    text = rest[1:-1] if rest[:1] == "(" and rest[-1:] == ")" else rest.lstrip(",").strip()
    orig = fields.find(", orig_to=")
    relay = _field(fields, "relay=")
    said = _HOST_SAID.search(text) if "host " in text else None
    facts = LogFacts(
        recipient=_angle_value(fields, 3), original_recipient=_angle_value(fields, orig + 10) if orig >= 0 else "",
        action=action, log_status=log_status, status=_field(fields, "dsn="), diagnostic_code=text, relay=relay,
        remote_mta=said.group("host") if said else _relay_host(relay), queue_id=queue_id)
    if " while " in text:
        w = _WHILE.search(text)
        if w is not None:
            facts.smtp_command = _WHILE_COMMAND.get(w.group("what").upper(), "")
    if word in EXPIRED:
        facts.reason, facts.evidence = "expired", f"log:status={word}"
    if state is not None:
        state.attach(facts)
        if action == "delayed":
            state.info(facts.queue_id).deferred[facts.recipient] = facts
    return [facts]


def _reject(m: re.Match[str]) -> list[LogFacts]:
    body = m.group("body")
    stage = _STAGE_FROM.match(body) or _STAGE_ONLY.match(body)
    if stage is not None:
        text = body[stage.end():]
        cut = max(text.rfind("; from=<"), text.rfind("; to=<"))
        if cut < 0:
            cut = text.rfind("; proto=")
        reply, keys = (text[:cut], text[cut + 2:]) if cut >= 0 else (text, "")
        command = STAGE_COMMAND.get(stage.group("stage"), "")
        client = stage.groupdict().get("client") or ""
    else:
        # cleanup header_checks/body_checks: "header To: x from host[ip]; from=<s> to=<r> ...: text"
        cut = body.rfind("; from=<")
        if cut < 0:
            return []
        keys = body[cut + 2:]
        colon = keys.find(">: ")
        reply, keys = (keys[colon + 3:], keys[:colon + 1]) if colon >= 0 else ("", keys)
        command, client = "DATA", ""
        before = body[:cut]
        at = before.rfind(" from ")
        if at >= 0:
            client = before[at + 6:]
    addresses = dict(_KV_ADDRESS.findall(keys))
    recipient = addresses.get("to", "")
    if not recipient:
        return []  # MAIL-, CONNECT- and DATA-stage refusals name no recipient
    reply = reply.strip()
    code = reply[:1]
    kind = m.group("kind")
    facts = LogFacts(recipient=recipient, action="delayed" if code == "4" else "failed", log_status=kind, inbound=True,
                     diagnostic_code=reply, smtp_command=command, client=client,
                     sender=addresses.get("from", ""), queue_id=m.group("qid") or "")
    if facts.queue_id == "NOQUEUE":
        facts.queue_id = ""
    return [facts]


def _expired(queue_id: str, state: Correlation, word: str) -> list[LogFacts]:
    info = state.known(queue_id)
    if info is None:
        return []
    found = []
    for deferred in info.deferred.values():
        facts = LogFacts(**{name: getattr(deferred, name) for name in LogFacts.__slots__})
        facts.action, facts.log_status = "failed", word
        facts.reason, facts.evidence = "expired", f"log:status={word}"
        found.append(facts)
    info.deferred.clear()
    return found


def read(message: str, state: Correlation | None) -> list[LogFacts] | None:
    """The delivery results one Postfix message states; [] for another Postfix line; None if not Postfix's."""
    colon = message.find(": ")
    if colon < 0:
        return None
    rest = message[colon + 2:colon + 14]
    if rest.startswith("to="):
        return _delivery(message, colon, state)
    if "reject: " in message[:colon + 24]:
        r = _REJECT.match(message)
        return _reject(r) if r is not None else None
    queue_id = message[:colon]
    if not (queue_id.isalnum() and 5 <= len(queue_id) <= 32):
        return [] if message.startswith(("warning:", "NOQUEUE:", "statistics:", "fatal:", "panic:")) else None
    if state is None:
        return []
    if rest.startswith("from="):
        tail = message[colon + 2:]
        end = tail.find(">") + 1 if tail.startswith("from=<") else tail.find(",")
        state.info(queue_id).sender = _address(tail[5:end] if end > 0 else tail[5:])
        status = tail.find("status=")
        if status > 0:
            word = tail[status + 7:].split(",", 1)[0].strip().lower()
            if word in EXPIRED:
                return _expired(queue_id, state, word)
    elif rest.startswith("message-id="):
        state.info(queue_id).message_id = _address(message[colon + 13:])
    elif rest.startswith("client="):
        state.info(queue_id).client = message[colon + 9:].split(",", 1)[0]
    elif rest.startswith("uid="):
        at = message.find(" from=<", colon)
        if at > 0:
            state.info(queue_id).sender = _address(message[at + 6:])
    elif rest == "removed":
        state.forget(queue_id)
    return []
