"""Value types shared by every part of bouncekit: codes, replies, explanations, delivery records."""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, TypeVar

SEVERITY_BY_DIGIT = {"2": "success", "3": "intermediate", "4": "temporary", "5": "permanent"}

_Record = TypeVar("_Record")


def _direct_init(cls: type[_Record]) -> type[_Record]:
    """Give the frozen slots dataclass *cls* an __init__ that stores each field through its slot
    descriptor. The dataclass's own __init__ calls object.__setattr__ per field, to get past the frozen
    __setattr__; this one takes the same arguments, makes the same record and costs half as much, which
    counts for the records made once per reply or recipient. Fields must have plain defaults."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    namespace: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if not f.init or f.default is MISSING or f.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: only fields with a plain default are supported")
        namespace[f"_default_{f.name}"] = f.default
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
    parameters = ", ".join(f"{name}=_default_{name}" for name in names)
    body = "".join(f"\n    _set_{name}(self, {name})" for name in names)
    exec(f"def __init__(self, {parameters}) -> None:{body}", namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = dict(cls.__init__.__annotations__)
    setattr(cls, "__init__", init)  # noqa: B010 (mypy does not allow assigning to a method)
    return cls


@dataclass(frozen=True, slots=True)
class StatusCode:
    """An RFC 3463 enhanced status code: class.subject.detail."""

    klass: int
    subject: int
    detail: int

    def __str__(self) -> str:
        return f"{self.klass}.{self.subject}.{self.detail}"

    @property
    def severity(self) -> str:
        return SEVERITY_BY_DIGIT[str(self.klass)]

    @property
    def registry_key(self) -> str:
        """The registry's class-free notation, e.g. ``X.1.1``."""
        return f"X.{self.subject}.{self.detail}"


@_direct_init
@dataclass(frozen=True, slots=True)
class Reply:
    """An SMTP reply found in a text: codes, the server's words and, when stated, the command."""

    reply_code: str = ""
    """The three-digit basic reply code (RFC 5321 s4.2), or ``""`` when the text has none."""
    status: str = ""
    """The enhanced status code (RFC 3463), or ``""``."""
    text: str = ""
    """The server's words without the codes, unfolded to one line."""
    command: str = ""
    """The SMTP command the reply answered (``RCPT``, ``DATA``, ``CONN`` ...), or ``""``."""
    remote_host: str = ""
    """The host that sent the reply, when the surrounding text names it."""
    lines: tuple[str, ...] = ()
    """The reply's own lines as found (several for a multi-line reply)."""
    warnings: tuple[str, ...] = ()
    """Contradictions noticed while reading, e.g. a 250 reply carrying 5.1.1."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CodePart:
    """One part of a code read by its structure (a digit of a reply code, a field of an enhanced code)."""

    part: str
    value: str
    title: str
    meaning: str


@dataclass(frozen=True, slots=True)
class VendorMeaning:
    """What one provider means by a code when it gives the code its own sense."""

    id: str
    provider: str
    codes: str
    tag: str
    title: str
    meaning: str
    causes: tuple[str, ...]
    action: str
    source: str


@dataclass(frozen=True, slots=True)
class CodeExplanation:
    """Everything bouncekit knows about one reply code or enhanced status code, in one language."""

    code: str
    kind: str
    """``reply`` or ``enhanced``."""
    registered: bool
    """True when the code (or, for enhanced codes, its detail) is in the standards or the registry."""
    standard: bool
    severity: str
    """``success``, ``intermediate``, ``temporary``, ``permanent`` or ``invalid``."""
    title: str
    meaning: str
    causes: tuple[str, ...]
    action: str
    commands: tuple[str, ...]
    references: tuple[str, ...]
    related_codes: tuple[str, ...]
    parts: tuple[CodePart, ...]
    vendor: tuple[VendorMeaning, ...]
    notes: tuple[str, ...]
    id: str
    """The knowledge-base row this explanation comes from (``reply.550``, ``enhanced.X.1.1``, ...)."""


@dataclass(frozen=True, slots=True)
class Explanation:
    """The answer to ``explain()``: the input, the reply read from it (if any) and each code explained."""

    input: str
    lang: str
    codes: tuple[CodeExplanation, ...]
    reply: Reply | None = None
    warnings: tuple[str, ...] = ()
    verdict: dict[str, Any] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@_direct_init
@dataclass(frozen=True, slots=True)
class Delivery:
    """One recipient's outcome from one report: the record every input becomes (see DESIGN.md)."""

    source: str = ""
    message_index: int = 0
    line: int | None = None
    recipient: str = ""
    original_recipient: str = ""
    action: str = ""
    status: str = ""
    reply_code: str = ""
    reason: str = ""
    hard_bounce: bool = False
    permanent: bool | None = None
    fault: str = "unknown"
    action_advice: str = "none"
    retry_after: int | None = None
    diagnostic_code: str = ""
    diagnostic_type: str = ""
    remote_mta: str = ""
    reporting_mta: str = ""
    smtp_command: str = ""
    sender: str = ""
    message_id: str = ""
    subject: str = ""
    timestamp: str = ""
    decoded_by: str = ""
    feedback_type: str = ""
    evidence: str = ""
    queue_id: str = ""
    """MTA logs: the queue id that ties the lines of one message together."""
    relay: str = ""
    """MTA logs: the next hop as logged (Postfix ``relay=``, Exim ``H=``, Sendmail ``relay=``)."""
    client: str = ""
    """MTA logs: the connecting client of a message the logging MTA received or rejected."""
    log_status: str = ""
    """MTA logs: the MTA's own word for the outcome (``sent``, ``deferred``, ``bounced``, ``reject`` ...)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DELIVERY_FIELDS = tuple(Delivery.__dataclass_fields__)
