"""Remote-host rules: providers whose replies mean something of their own (REASONS.md step 2).

A provider is recognised by the remote MTA's host name (a domain suffix) or, when the report does
not name the host, by a marker only that provider writes in its replies (a help URL, an error-code
family). Its rules map the provider's own codes and wording to a reason; they are tried before the
enhanced status decides, because these providers reuse standard codes with a meaning of their own
(Microsoft's 5.1.10, DOCOMO's "Unknown user" after DATA, ...). Each rule has a stable id, reported
as ``rhost:<id>``. The first rule of the first provider that applies and matches decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

__all__ = ["RHOST_RULES", "Provider", "reason_for_host"]

# A provider's reply is a line or a folded paragraph; a bound keeps hostile megabyte texts cheap.
MAX_RULE_TEXT = 4096


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    hosts: tuple[str, ...]
    """Domain suffixes of the provider's inbound MTAs."""
    markers: tuple[str, ...]
    """Lower-case substrings that only this provider writes in its replies."""
    rules: tuple[tuple[str, str, str], ...]
    """(row id, regex on "status reply-code text", reason), tried in order."""
    by_recipient: bool = False
    """Also known by the recipient's domain: for carriers whose mail is only ever received by their
    own MTAs, so the recipient's domain names the provider when the report names no host."""


RHOST_RULES: tuple[Provider, ...] = (
    # Orange / Wanadoo (France Telecom): bilingual replies ending in an OFR code and the same number in
    # brackets, e.g. "550 5.2.0 Mail rejete. Mail rejected. OFR_506 [506]" (postmaster.orange.fr, error codes).
    Provider("orange", ("orange.fr", "wanadoo.fr"), ("ofr_", "ofr00"), (
        ("orange.ip-blocked-spam", r"client host blocked for spamming|adresse ip source bloquee|\[102\]", "blocked"),
        # OFR_999: the IP is suspended for some hours after earlier breaches were ignored.
        ("orange.ip-suspended", r"\bofr_999\b|\[999\]", "blocked"),
        ("orange.too-many-connections", r"too many connections|trop de connexions|\[104\]", "toomanyconn"),
        ("orange.mail-rejected", r"mail rejete|\bofr_506\b|\[506\]", "spamdetected"),
        # OFR005_*: the platform refuses service for the moment, with no statement about the sender.
        ("orange.service-refused", r"\bofr005_\d+|\[505\]", "systemerror"),
        ("orange.invalid-sender", r"emetteur invalide|invalid sender|\[415\]", "rejected"),
    )),
    # La Poste: the same bilingual style with LPNnnn_nnn codes, e.g. "LPN007_416".
    Provider("laposte", ("laposte.net",), ("lpn00",), (
        ("laposte.invalid-recipient", r"destinataire invalide|invalid recipient", "userunknown"),
        ("laposte.account-blocked", r"compte du destinataire est bloque|recipient account is blocked", "suspend"),
        ("laposte.client-host-rejected", r"client host rejected", "policyviolation"),
        # "Service refuse. Veuillez essayer plus tard." names no cause at all.
        ("laposte.service-refused", r"service refus", "undefined"),
    )),
    # Google (Gmail, Workspace): support.google.com/a/answer/3726730 and reference/vendor_codes.csv.
    Provider("google", ("google.com", "googlemail.com", "gmail.com"), ("- gsmtp", "support.google.com/mail"), (
        # 5.7.23/5.7.25: the sending IP has no PTR; 5.7.24, .26, .27, .30-.32, .40: SPF, DKIM, DMARC.
        ("google.no-ptr", r"^[45]\.7\.2[35]\b", "requireptr"),
        ("google.unauthenticated", r"^[45]\.7\.(?:2[467]|3[0-2]|40)\b", "authfailure"),
        ("google.not-rfc5322", r"not RFC 5322 compliant|RfcMessageNonCompliant", "notcompliantrfc"),
        # 450 4.2.1 / 550 5.2.1: the recipient is receiving mail too fast (not a disabled account).
        ("google.receiving-too-fast", r"receiving (?:mail|email) (?:too quickly|at a rate that)", "speeding"),
        ("google.low-reputation", r"low reputation of the sending (?:domain|ip)", "badreputation"),
        ("google.policy", r"has a policy that prohibit", "policyviolation"),
    )),
    # Microsoft 365 / Exchange Online / Outlook.com: learn.microsoft.com NDR reference (vendor_codes.csv).
    Provider("microsoft", ("outlook.com", "hotmail.com", "office365.com", "live.com"),
             ("resolver.adr.", "storedrv.", "protection.outlook.com", ".prod.outlook.com"), (
        # 5.1.10 is RFC 7505's null MX elsewhere; Exchange uses it for "recipient not found".
        ("microsoft.recipient-not-found", r"^5\.1\.10\b", "userunknown"),
        # 5.7.507/511/513/606-649/708: the sending IP is banned or on a block list.
        ("microsoft.banned-ip", r"^5\.7\.(?:507|511|513|6[0-4]\d|708)\b", "blocked"),
        ("microsoft.dmarc-reject", r"^5\.7\.(?:509|515)\b", "authfailure"),
        # 550 5.4.1 "Recipient address rejected: Access denied": directory-based edge blocking.
        ("microsoft.access-denied", r"^5\.4\.1\b.*recipient address rejected: access denied", "userunknown"),
    )),
    # Yahoo / AOL: postmaster.yahooinc.com/error-codes. Only when Yahoo's own MX answered: a relay that
    # quotes Yahoo's deferral in its own words is left to the phrase tables.
    Provider("yahoo", ("yahoodns.net", "yahoo.com", "aol.com"), (), (
        ("yahoo.no-account", r"doesn't have an? (?:yahoo|aol|ymail)\.[a-z.]+ account", "userunknown"),
        ("yahoo.policy", r"not accepted for policy reasons", "policyviolation"),
        ("yahoo.blocklist", r"\[BL\d+\]", "blocked"),
        # [TS01]..[TSS05]: deferred for the sender's volume or complaints; the sender is refused.
        ("yahoo.ts-deferral", r"\[TSS?\d+\]", "rejected"),
    )),
    # GoDaddy (secureserver.net): godaddy.com/help/fix-rejected-email-with-a-bounce-error-40685.
    Provider("godaddy", ("secureserver.net",), ("x.co/rlbounce",), (
        ("godaddy.rate-limit", r"sent to too many recipients|too many (?:messages|recipients) (?:this|per) hour",
         "speeding"),
        ("godaddy.block-list", r"spamhaus|\bblocked using\b|\bRBL\b|block ?list|blacklist", "blocked"),
        ("godaddy.spam-or-virus", r"rejected for spam or virus content", "spamdetected"),
    )),
    # Tencent QQ / Exmail: service.mail.qq.com help pages ("Ip frequency limited", "Connection frequency
    # limited", "Domain frequency limited" are rate limits, whatever "Blocked IP" says after them).
    Provider("tencent", ("qq.com",), ("service.mail.qq.com",), (
        ("tencent.frequency-limited", r"frequency limit", "toomanyconn"),
    )),
    # NTT DOCOMO and KDDI (au, ezweb) refuse after DATA with "Unknown user" when the recipient's
    # reception settings refuse the sender; an address that does not exist is refused at RCPT (5.1.1).
    # A generic 5.0.0 there means the sender itself was refused; any more specific code (the
    # mailbox-status X.2.0 above all) that the recipient's settings filtered the message.
    Provider("docomo", ("docomo.ne.jp",), (), by_recipient=True, rules=(
        ("docomo.sender-refused", r"^5\.0\.0 .*\bunknown user", "rejected"),
        ("docomo.filtered", r"^5\.\d{1,3}\.\d{1,3} .*\bunknown user", "filtered"),
    )),
    Provider("kddi", ("ezweb.ne.jp", "au.com", "kddi.com"), (), by_recipient=True, rules=(
        ("kddi.filtered", r"^5\.2\.0 .*\buser unknown", "filtered"),
        # "550 : User unknown", the address left out: the reply KDDI gives after DATA for mail the
        # recipient's settings refuse (an unknown address is named: "550 <a@au.com>: User unknown")
        ("kddi.filtered-unnamed", r"(?:^|\s):\s*user unknown", "filtered"),
    )),
    # Mimecast: community.mimecast.com SMTP error codes (DOC-1369).
    Provider("mimecast", ("mimecast.com", "mimecast.co.za", "mimecast-offshore.com"), ("mimecast",), (
        ("mimecast.host-network", r"host network not allowed", "policyviolation"),
        ("mimecast.security-policies", r"rejected due to security polic", "virusdetected"),
    )),
    # Cox: postmaster.cox.net error codes; CXBL/CDRBL/IPBLnnnn are IP block lists.
    Provider("cox", ("cox.net",), ("cox.com/residential/support/email-error", "aup#cx", "aup#cdrbl", "aup#ipbl"), (
        ("cox.blocked", r"AUP#(?:CXBL|CDRBL|IPBL\d+|URLBL\d*)\b", "blocked"),
        ("cox.sender-domain", r"AUP#CXSNDR\b", "rejected"),
    )),
    # Spectrum / Charter / Roadrunner: AUP#[In-|Out-]nnnn; the 13nn family are Cloudmark rate limits,
    # the 10nn family blocked senders.
    Provider("spectrum", ("charter.net", "rr.com", "spectrum.net", "twc.com"), ("spectrum.net/support",), (
        ("spectrum.rate-limit", r"AUP#(?:In?-|Out-)?13\d\d\b", "toomanyconn"),
        ("spectrum.blocked", r"AUP#(?:In?-|Out-)?10\d\d\b", "blocked"),
    )),
)


@cache
def _compiled() -> tuple[tuple[Provider, tuple[tuple[str, re.Pattern[str], str], ...]], ...]:
    return tuple((p, tuple((i, re.compile(rx, re.IGNORECASE), reason) for i, rx, reason in p.rules))
                 for p in RHOST_RULES)


@cache
def _by_suffix() -> dict[str, frozenset[int]]:
    """Host suffix -> the numbers (in RHOST_RULES) of the providers it names."""
    found: dict[str, set[int]] = {}
    for n, provider in enumerate(RHOST_RULES):
        for suffix in provider.hosts:
            found.setdefault(suffix, set()).add(n)
    return {suffix: frozenset(numbers) for suffix, numbers in found.items()}


@cache
def _markers() -> tuple[tuple[str, int], ...]:
    """(marker, number in RHOST_RULES of the provider that writes it), for every provider's markers."""
    return tuple((m, n) for n, provider in enumerate(RHOST_RULES) for m in provider.markers)


def _providers_marked(lowered: str) -> set[int]:
    """The numbers in RHOST_RULES of the providers whose markers occur in *lowered*."""
    # Most texts have none, which a loop of "in" tests tells more cheaply than a regex of the markers.
    for marker, _ in _markers():
        if marker in lowered:
            return {n for m, n in _markers() if m in lowered}
    return set()


def _named_by(name: str, by_recipient: bool, found: set[int]) -> None:
    """Add the providers that *name* (a host or domain) belongs to: the name or a parent domain of it
    is one of their suffixes."""
    suffixes = _by_suffix()
    while name:
        for n in suffixes.get(name, ()):
            if not by_recipient or RHOST_RULES[n].by_recipient:
                found.add(n)
        name = name.partition(".")[2]


def reason_for_host(remote_host: str, status: str, reply_code: str, text: str,
                    recipient: str = "") -> tuple[str, str] | None:
    """(reason, evidence) when a provider rule applies, else None. The provider is known by the
    remote MTA's name or, for some carriers, by the recipient's domain."""
    text = text[:MAX_RULE_TEXT]
    applies = _providers_marked(text.lower())
    if remote_host:
        _named_by(remote_host.strip().lower().rstrip("."), False, applies)
    if recipient:
        _named_by(recipient.rpartition("@")[2].lower(), True, applies)
    if not applies:
        return None  # no provider is named: the common case
    subject = f"{status} {reply_code} {text}"
    compiled = _compiled()
    for n in sorted(applies):  # in table order: the first provider that applies and matches decides
        for row_id, pattern, reason in compiled[n][1]:
            if pattern.search(subject):
                return reason, f"rhost:{row_id}"
    return None
