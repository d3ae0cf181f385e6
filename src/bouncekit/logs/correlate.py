"""Correlation within one log: the queue id ties a delivery line to the lines about its message.

Postfix logs the sender on the qmgr ``from=`` line, the Message-ID on the cleanup line and the
client on the smtpd ``client=`` line, each before the delivery lines of the same queue id; Exim
logs the sender on the ``<=`` arrival line; Sendmail on its ``from=`` line. A bounded table keeps
what each queue id said until the message leaves the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .record import LogFacts

# Messages in flight at once. A busy relay holds tens of thousands in its queue; beyond this the
# oldest entries are dropped (their later lines simply lack sender and Message-ID), so memory stays
# bounded on any input.
MAX_MESSAGES = 200_000


@dataclass(slots=True)
class MessageInfo:
    sender: str = ""
    message_id: str = ""
    client: str = ""
    deferred: dict[str, LogFacts] = field(default_factory=dict)
    """The last deferral per recipient, which becomes the failure when the message expires."""


class Correlation:
    """What the log said so far about each queue id still in the queue."""

    def __init__(self, limit: int = MAX_MESSAGES) -> None:
        self.limit = limit
        self.messages: dict[str, MessageInfo] = {}

    def info(self, queue_id: str) -> MessageInfo:
        info = self.messages.get(queue_id)
        if info is None:
            if len(self.messages) >= self.limit:
                del self.messages[next(iter(self.messages))]  # the oldest: dicts keep insertion order
            info = self.messages[queue_id] = MessageInfo()
        return info

    def known(self, queue_id: str) -> MessageInfo | None:
        return self.messages.get(queue_id)

    def forget(self, queue_id: str) -> None:
        self.messages.pop(queue_id, None)

    def attach(self, facts: LogFacts) -> None:
        """Give a delivery line's facts the sender and Message-ID its queue id was logged with."""
        info = self.messages.get(facts.queue_id)
        if info is not None:
            facts.sender = facts.sender or info.sender
            facts.message_id = facts.message_id or info.message_id
            facts.client = facts.client or info.client
