"""Knowledge as data: which enhanced codes decide a reason alone, and the phrases of remote servers
that decide it when the code is generic. Each row has a stable id, reported as ``evidence``."""

from __future__ import annotations

# Enhanced status codes (class-free, RFC 3463 s3 and the registry) that decide the reason alone.
# Generic codes (X.0.0, X.7.0, X.7.1, X.5.0, ...) are absent: the server's words decide those.
STATUS_REASONS: dict[str, str] = {
    "X.1.1": "userunknown", "X.1.2": "hostunknown", "X.1.3": "userunknown", "X.1.4": "userunknown",
    "X.1.5": "delivered", "X.1.6": "hasmoved", "X.1.7": "rejected", "X.1.8": "rejected",
    "X.1.9": "systemerror", "X.1.10": "notaccept",
    "X.2.1": "suspend", "X.2.2": "mailboxfull", "X.2.3": "exceedlimit", "X.2.4": "systemerror",
    "X.3.1": "systemfull", "X.3.2": "notaccept", "X.3.3": "systemerror",
    "X.3.4": "mesgtoobig", "X.3.5": "systemerror",
    "X.4.1": "networkerror", "X.4.2": "networkerror", "X.4.3": "networkerror", "X.4.4": "hostunknown",
    "X.4.5": "networkerror", "X.4.6": "networkerror", "X.4.7": "expired",
    "X.5.3": "toomanyconn", "X.5.1": "syntaxerror", "X.5.2": "syntaxerror", "X.5.4": "syntaxerror",
    "X.5.5": "syntaxerror",
    "X.6.0": "contenterror", "X.6.1": "contenterror", "X.6.2": "contenterror", "X.6.3": "contenterror",
    "X.6.4": "contenterror", "X.6.5": "contenterror", "X.6.6": "contenterror", "X.6.7": "contenterror",
    "X.6.8": "contenterror", "X.6.9": "contenterror", "X.6.10": "contenterror",
    "X.7.2": "norelaying", "X.7.3": "securityerror", "X.7.4": "securityerror", "X.7.5": "securityerror",
    "X.7.6": "securityerror", "X.7.7": "securityerror", "X.7.8": "securityerror",
    "X.7.9": "securityerror", "X.7.10": "securityerror", "X.7.11": "securityerror",
    "X.7.12": "securityerror", "X.7.13": "suspend", "X.7.14": "securityerror", "X.7.15": "policyviolation",
    "X.7.16": "mesgtoobig", "X.7.17": "hasmoved", "X.7.18": "hasmoved", "X.7.20": "authfailure",
    "X.7.21": "authfailure", "X.7.22": "authfailure", "X.7.23": "authfailure", "X.7.24": "authfailure",
    "X.7.25": "requireptr", "X.7.26": "authfailure", "X.7.27": "rejected", "X.7.28": "speeding",
    "X.7.29": "authfailure", "X.7.30": "securityerror",
}

# Phrases of remote servers, per reason: (id, reason, regular expression). Matched case-insensitively
# against the diagnostic text. Rows are grouped by reason; the order of REASON_PRIORITY decides
# between reasons whose phrases both occur.
PHRASES: tuple[tuple[str, str, str], ...] = (
    # the mailbox does not exist
    ("user.unknown", "userunknown", r"\b(?:user|recipient|mailbox|address|account)(?: name)? (?:is )?unknown"),
    ("user.unknown-user", "userunknown", r"\bunknown (?:user|recipient|local[- ]part|mailbox|address|e-?mail address)"),
    ("user.no-such", "userunknown",
     r"\bno such (?:user|recipient|mailbox|address|account|person|local user)|\bno mailbox (?:here|by that name)"),
    ("user.does-not-exist", "userunknown",
     r"(?:user|recipient|mailbox|address|account|e-?mail address|e-?mail account)"
     r"(?: [\w.@<>\"'-]+)?(?: (?:you tried to reach|you entered))? (?:does not|doesn't|did not) exist"),
    ("user.not-found", "userunknown",
     r"\b(?:user|recipient|mailbox|address)(?: address)? (?:was )?not found|\bRecipNotFound|RecipientNotFound"),
    ("user.invalid", "userunknown",
     r"\binvalid (?:recipient|mailbox|user|address)\b|\b(?:recipient|mailbox) (?:address )?(?:is )?invalid"),
    ("user.not-listed", "userunknown", r"\bnot listed in (?:domino directory|public name & address book)"),
    ("user.unrouteable", "userunknown", r"\bunrouteable address|\bno valid recipients"),
    ("user.rejected", "userunknown", r"\brecipient address rejected: (?:user unknown|undeliverable address)"),
    ("user.not-our-customer", "userunknown", r"\bis not a valid (?:user|mailbox)|\bno account by that name"),
    ("user.has-no-account", "userunknown", r"\bdoesn't have an? [\w.]+ account|\bthis account does not exist"),
    ("user.mailbox-unavailable", "userunknown", r"\bmailbox unavailable\b(?! for)"),
    ("user.not-a-known", "userunknown", r"\bnot a known user|\bunknown or illegal alias|\buser not known"),
    # the domain does not exist
    ("host.unknown", "hostunknown",
     r"\bhost (?:or domain name )?not found|\bunknown host|\bhost unknown|\bdomain (?:name )?not found"
     r"|\bno such domain|\bunrouteable mail domain|\bdomain does not exist|\bname service error"
     r"|\bunknown domain|\bdomain (?:is )?(?:unknown|invalid)|\bno mx (?:record|for)|\bNXDOMAIN"),
    # moved
    ("moved", "hasmoved", r"\bhas moved|\bhas been moved|\bno longer (?:with|valid at)|\bmoved to\b"),
    # suspended or disabled
    ("suspend.disabled", "suspend",
     r"\b(?:account|mailbox|user|address)(?: [\w.@<>-]+)? (?:is |has been )?(?:disabled|suspended|inactive|deactivated|locked|frozen|closed|blocked)"
     r"|\bdisabled (?:mailbox|account|recipient)|\binactive (?:user|account|mailbox)|\bnot (?:an )?active"),
    # mailbox full
    ("full.mailbox", "mailboxfull",
     r"\b(?:mailbox|mail ?box|inbox|account|user|folder|mail folder)(?: [\w.@<>-]+)? (?:is )?(?:full|over ?quota|overquota)"
     r"|\bover ?quota|\bquota (?:exceeded|exceed|full)|\bexceeded (?:storage|the quota|quota|his/her quota)|\binsufficient (?:disk )?space"
     r"|\bout of storage|\bmailbox size limit|\bdisk quota|\bstorage (?:allocation|quota)|\bmailfolder is full|\bfull mailbox"),
    # message too big
    ("size.too-big", "mesgtoobig",
     r"\bmessage (?:is )?too (?:big|large)|\bmessage size exceeds|\bexceeds? (?:the )?(?:maximum|fixed|size) (?:message )?size"
     r"|\bsize limit|\bmessage length exceeds|\btoo much mail data|\bmessage file too big|\bmaximum message size"),
    ("limit.exceeded", "exceedlimit", r"\bmessage length exceeds administrative limit|\bexceeded the rate limit"),
    # relaying
    ("relay.denied", "norelaying",
     r"\brelay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|prohibited)|\bunable to relay|\bnot permitted to relay"
     r"|\bwe do not relay|\bno relaying|\brelay not permitted|\bcannot relay|\brelay access"),
    # authentication of the sending domain
    ("auth.spf-dkim-dmarc", "authfailure",
     r"\bdmarc|\bspf (?:check )?(?:fail|validation|record)|\bdkim (?:fail|signature)|\bunauthenticated email"
     r"|\bsender policy framework|\bdid not pass (?:spf|dkim)|\bauthentication checks? failed|\bnot authenticated with dkim"),
    # reverse DNS
    ("ptr.missing", "requireptr",
     r"\breverse (?:dns|lookup|hostname)|\bptr record|\bno ptr|\bcannot find your hostname|\bclient host rejected: cannot find"
     r"|\bresolve (?:your|the) (?:ip|address)|\bhostname lookup|\bdo not have (?:a )?reverse|\brdns|\bunresolvable"),
    # spam
    ("spam.content", "spamdetected",
     r"\bspam|\bjunk mail|\bunsolicited|\bbulk mail|\blooks like (?:spam|junk)|\bcontent (?:filter|rejected)|\bphish"),
    ("virus", "virusdetected", r"\bvirus|\bmalware|\binfected|\btrojan|\bworm\b"),
    # blocks of the sending host
    ("block.list", "blocked",
     r"\bblack ?list|\bblock ?list|\bblocked (?:using|by)|\bdnsbl|\brbl\b|\bspamhaus|\bspamcop|\bsorbs|\blisted (?:at|in|on|by)"
     r"|\bclient host \[?[\d.]+\]? blocked|\bconnection refused|\bblocked\b|\baccess denied|\bnot allowed to send from"
     r"|\bdynamic ip|\bdialup|\bresidential"),
    ("reputation", "badreputation", r"\breputation|\bsender score|\bpoor sending"),
    # rate limits
    ("rate.too-fast", "speeding",
     r"\btoo fast|\brate limit|\bsending rate|\breceiving mail (?:at a rate|too fast)|\btoo many messages"),
    ("conn.too-many", "toomanyconn",
     r"\btoo many (?:connections|concurrent|simultaneous|recipients|hops)|\bconnection limit|\bmax(?:imum)? connections"),
    # security, TLS
    ("tls.failed", "failedstarttls", r"\bstarttls|\btls (?:negotiation|handshake|is required|required)|\bmust issue a starttls"),
    ("security.auth", "securityerror",
     r"\bauthentication (?:required|failed)|\bauthentication credentials|\bmust (?:authenticate|be authenticated)"
     r"|\bsmtp auth|\bcredentials invalid"),
    # sender rejected
    ("sender.rejected", "rejected",
     r"\bsender (?:address )?(?:rejected|denied|refused|blocked|verify failed|is not allowed)|\bdomain of sender address"
     r"|\bsender domain|\binvalid sender|\bbad sender|\bsender address|\bmail from|\bsender (?:unknown|not)|\breturn path"),
    # content
    ("content.mime", "contenterror",
     r"\bcontent type|\bmime (?:type|part|structure)|\battachment|\bheader (?:error|syntax|too long)|\bbare (?:lf|linefeed)|\bmalformed"),
    ("rfc.noncompliant", "notcompliantrfc", r"\brfc ?5322|\brfc ?822|\bnot (?:rfc|compliant)|\bmultiple (?:from|date|subject)"),
    # policy
    ("policy", "policyviolation", r"\bpolicy|\bprohibited|\bnot authorized|\bnot permitted"),
    # filters
    ("filter", "filtered", r"\bfilter|\brejected by (?:the )?recipient|\bdoes not accept mail from|\brefused by"),
    # the destination accepts no mail
    ("notaccept", "notaccept", r"\bdoes not accept mail|\bnull mx|\bnot accepting mail|\baccepts no mail"),
    # expired
    ("expired", "expired",
     r"\bretry time(?:out)? (?:not reached|exceeded)|\bexpired|\btoo long in (?:the )?queue|\bgiving up|\bgave up"
     r"|\bdelivery time expired|\bcould not be delivered for \d+|\bhas not been delivered|\btimed? out"),
    # network
    ("network", "networkerror",
     r"\bnetwork (?:error|unreachable)|\bconnection (?:timed out|reset|closed|lost|dropped)|\brouting loop|\bmail loop"
     r"|\btoo many hops|\bno route to host|\bcould not connect|\bunable to connect|\bconnect to .* failed|\blooping"),
    # remote system trouble
    ("system.full", "systemfull", r"\bsystem (?:is )?full|\binsufficient system storage|\bdisk full|\bout of disk space"),
    ("system.error", "systemerror",
     r"\btemporary (?:failure|error|problem)|\bsystem error|\binternal (?:server )?error|\blocal error|\bserver error"
     r"|\bservice (?:not available|unavailable)|\btry again later"),
    ("mailer", "mailererror", r"\bmailer error|\bcommand (?:died|failed)|\bexit (?:code|status)|\bprocmail|\bpipe to"),
    ("syntax", "syntaxerror", r"\bsyntax error|\bcommand unrecognized|\bcommand not (?:implemented|recognized)"),
)

# When phrases of several reasons occur in one text, the earliest reason here wins: the precise
# statements about the recipient first, then sender-side causes, then the broad words.
REASON_PRIORITY: tuple[str, ...] = (
    "mesgtoobig", "exceedlimit", "mailboxfull", "hasmoved", "suspend", "userunknown", "hostunknown",
    "notaccept", "norelaying", "authfailure", "requireptr", "virusdetected", "spamdetected",
    "badreputation", "blocked", "speeding", "toomanyconn", "failedstarttls", "securityerror", "rejected",
    "contenterror", "notcompliantrfc", "syntaxerror", "networkerror", "systemfull", "mailererror",
    "expired", "systemerror", "policyviolation", "filtered",
)

# Pseudo status codes for reports that state no enhanced code, in the convention of Sisimai (the
# analyser whose reason names bouncekit shares): class.0.9NN by reason, so results stay comparable.
PSEUDO_STATUS_DETAIL: dict[str, int] = {
    "undefined": 900, "onhold": 901, "syntaxerror": 902, "norelaying": 909, "filtered": 910,
    "userunknown": 911, "hostunknown": 912, "hasmoved": 916, "rejected": 918, "suspend": 921,
    "mailboxfull": 922, "exceedlimit": 923, "systemerror": 930, "systemfull": 931, "notaccept": 932,
    "mesgtoobig": 934, "securityerror": 970, "mailererror": 939, "contenterror": 960,
    "networkerror": 944, "expired": 947, "blocked": 971, "policyviolation": 972, "requireptr": 973,
    "authfailure": 975, "spamdetected": 980, "virusdetected": 981, "badreputation": 974,
    "speeding": 945, "toomanyconn": 946, "failedstarttls": 976, "notcompliantrfc": 961,
}
