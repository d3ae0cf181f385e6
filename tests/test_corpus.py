"""Every bounce of the shared corpus against its expected records (truth.jsonl, the results of the
reference analyser): status, reply code, reason and hard/soft, record by record, in report order.

The files listed in KNOWN_DIFFERENCES are those where bouncekit's general rules give another
answer than the reference; they are expected failures, so a fix shows up as an unexpected pass
and any other file that stops matching fails the run.
"""

from __future__ import annotations

import json
from functools import cache

import pytest

from bouncekit import parse_message
from bouncekit.io import Item, iter_inputs

from .conftest import SHARED, shared_path

Record = tuple[str, str, str, bool]

# file name -> how bouncekit's records differ from the reference (expected, then got)
KNOWN_DIFFERENCES = {
    "lhost-activehunter-02.eml": "status 5.0.910 (got 5.0.911), reason filtered (got userunknown), hard False (got True)",
    "lhost-aol-06.eml": "reason notaccept (got networkerror), hard True (got False)",
    "lhost-apachejames-01.eml": "status 5.0.910 (got 5.0.911), reason filtered (got userunknown), hard False (got True)",
    "lhost-dragonfly-18.eml": "reason securityerror (got policyviolation)",
    "lhost-exchange2007-05.eml": "status 4.4.1 (got 4.4.7)",
    "lhost-exim-46.eml": "reason blocked (got requireptr)",
    "lhost-exim-57.eml": "status 5.0.918 (got 5.0.971), reason rejected (got blocked)",
    "lhost-ezweb-02.eml": "reply code - (got 550)",
    "lhost-mailfoundry-01.eml": "status 5.0.910 (got 5.0.911), reason filtered (got userunknown), hard False (got True)",
    "lhost-mailru-10.eml": "status 5.0.947 (got 4.0.947)",
    "lhost-messagelabs-03.eml": "reason userunknown (got onhold), hard True (got False)",
    "lhost-mxlogic-03.eml": "status 5.0.910 (got 5.5.0), reason filtered (got userunknown), hard False (got True)",
    "lhost-postfix-07.eml": "status 5.0.910 (got 5.0.911), reason filtered (got userunknown), hard False (got True)",
    "lhost-sendmail-13.eml": "reason systemerror (got mailererror)",
    "lhost-sendmail-54.eml": "reason expired (got blocked)",
    "lhost-sendmail-56.eml": "status 4.7.0 (got 5.5.0), reply code 421 (got 554)",
    "lhost-surfcontrol-01.eml": "reason filtered (got userunknown), hard False (got True)",
    "lhost-v5sendmail-05.eml": "status 5.0.971 (got 5.0.901), reason blocked (got onhold)",
    "lhost-x2-03.eml": "status 5.0.947 (got 5.0.944), reason expired (got networkerror)",
    "lhost-zoho-03.eml": "status 5.0.910 (got 5.0.911), reason filtered (got userunknown), hard False (got True)",
    "rfc3464-01.eml": "reply code - (got 550), reason mailboxfull (got userunknown), hard False (got True)",
    "rfc3464-06.eml": "reply code - (got 554)",
    "rfc3464-35.eml": "reason rejected (got onhold); reason filtered (got userunknown), hard False (got True)",
    "rfc3464-42.eml": "reason filtered (got userunknown), hard False (got True)",
    "rfc3464-43.eml": "reason onhold (got systemerror)",
}


@cache
def _truth() -> dict[str, tuple[Record, ...]]:
    lines = shared_path("corpus", "bounces", "truth.jsonl").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines if line.strip()]
    return {e["path"]: tuple((x["status"], str(x["replycode"]), x["reason"], bool(int(x["hardbounce"])))
                             for x in e["expected"]) for e in entries}


def _cases() -> list[object]:
    if not (SHARED / "corpus" / "bounces" / "truth.jsonl").exists():
        return ["maildir/bsd/absent.eml"]  # collected without the corpus: the test skips, saying why
    return [pytest.param(path, id=path.rsplit("/", 1)[-1],
                         marks=[pytest.mark.xfail(reason=KNOWN_DIFFERENCES[path.rsplit("/", 1)[-1]], strict=False)]
                         if path.rsplit("/", 1)[-1] in KNOWN_DIFFERENCES else [])
            for path in _truth()]


def records(path: str) -> tuple[Record, ...]:
    """The records of one corpus file, read as `bouncekit parse` reads it (an mbox gives several)."""
    found: list[Record] = []
    for item in iter_inputs([str(shared_path("corpus", "bounces", path))]):
        if isinstance(item, Item):
            found += [(d.status, d.reply_code, d.reason, d.hard_bounce)
                      for d in parse_message(item.data, item.source, item.index)]
    return tuple(found)


@pytest.mark.parametrize("path", _cases())
def test_records_match_the_reference(path: str) -> None:
    assert records(path) == _truth()[path]


def test_known_differences_name_corpus_files() -> None:
    names = {path.rsplit("/", 1)[-1] for path in _truth()}
    assert set(KNOWN_DIFFERENCES) <= names
