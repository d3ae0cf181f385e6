"""Side-by-side benchmark: bouncekit against Sisimai (Perl, Debian's libsisimai-perl 4.25) on the
same messages, in the same run, alternating.

    .venv/bin/python bench/bounces.py               # the full benchmark (a few minutes)
    .venv/bin/python bench/bounces.py --quick       # fewer runs, no 1 GB mbox

It installs libsisimai-perl with apt-get when Perl cannot load Sisimai, writes its own small Perl
driver, builds the workload under bench/work/ (git-ignored) from ../shared/corpus/bounces - the
corpus repeated, as one flat directory of files and as one mbox - and prints, as medians of the
runs: messages per second of each tool and their ratio, bouncekit --jobs 2 against one job, the
peak RSS of every run (largest single process), classify_reply calls per second on the reply lines
of the corpus, and the peak RSS of bouncekit parsing a 1 GB mbox.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
CORPUS = ROOT.parent / "shared" / "corpus" / "bounces" / "maildir"
BOUNCEKIT = [sys.executable, "-m", "bouncekit.cli"]
# A fixed separator line: the date is irrelevant to both tools (RFC 4155 only needs "From ").
MBOX_SEPARATOR = b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n"
QUOTE_FROM = re.compile(rb"^(>*From )", re.MULTILINE)  # mboxrd quoting (RFC 4155 s2)

# Our own driver: Sisimai->make reads a Maildir directory or an mbox and returns the records.
# delivered => 1 keeps "delivered" records, as bouncekit does, so both do the same work.
SISIMAI_DRIVER = """\
use strict;
use warnings;
use Sisimai;

my $records = 0;
for my $path (@ARGV) {
    my $found = Sisimai->make($path, delivered => 1);
    $records += scalar @$found if $found;
}
print "$records\\n";
"""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_mb: float
    output: str


def ensure_sisimai() -> None:
    if subprocess.run(["perl", "-MSisimai", "-e", "1"], capture_output=True).returncode == 0:
        return
    print("installing libsisimai-perl (apt-get) ...", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "libsisimai-perl"], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def corpus_messages() -> list[bytes]:
    """Every corpus file's bytes, in a stable order (a file may itself be an mbox of several)."""
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        sys.exit(f"no corpus at {CORPUS}")
    return [p.read_bytes() for p in files]


def as_mbox_entry(data: bytes) -> bytes:
    """A message as an mbox entry; a file that already is an mbox is taken as it is."""
    data = data.replace(b"\r\n", b"\n")
    if data.startswith(b"From "):
        return data if data.endswith(b"\n\n") else data.rstrip(b"\n") + b"\n\n"
    return MBOX_SEPARATOR + QUOTE_FROM.sub(rb">\1", data).rstrip(b"\n") + b"\n\n"


def build_workload(messages: list[bytes], repeat: int) -> tuple[Path, Path, int]:
    """bench/work/maildir/ (one flat directory, as Sisimai reads a Maildir) and bench/work/corpus.mbox."""
    maildir, mbox = WORK / "maildir", WORK / "corpus.mbox"
    stamp = WORK / f".built-{len(messages)}-{repeat}"
    count = sum(max(1, len(re.findall(rb"(?:\A|\n\n)From ", m))) for m in messages) * repeat
    if stamp.exists():
        return maildir, mbox, count
    # Only our own files: other benchmarks keep their workloads in bench/work/ too.
    shutil.rmtree(maildir, ignore_errors=True)
    for old in WORK.glob(".built-*"):
        old.unlink()
    maildir.mkdir(parents=True)
    with open(mbox, "wb") as out:
        for r in range(repeat):
            for i, data in enumerate(messages):
                (maildir / f"{r:03}-{i:05}.eml").write_bytes(data)
                out.write(as_mbox_entry(data))
    stamp.touch()
    return maildir, mbox, count


def rss_of(argv: list[str]) -> Run:
    """Wall time and peak RSS of one command, measured by a fresh child that reports its children's usage."""
    probe = ("import resource,subprocess,sys,time;t=time.perf_counter();"
             "p=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.DEVNULL);"
             "s=time.perf_counter()-t;"
             "print(s,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,p.returncode);"
             "print(p.stdout.decode(errors='replace').strip())")
    done = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, cwd=ROOT, check=True)
    first, _, output = done.stdout.decode().partition("\n")
    seconds, rss_kb, code = first.split()
    if int(code) not in (0, 1):
        sys.exit(f"{argv} failed with exit status {code}")
    return Run(float(seconds), int(rss_kb) / 1024, output.strip())


def bouncekit(path: Path, jobs: int) -> list[str]:
    return [*BOUNCEKIT, "parse", "--jobs", str(jobs), "--output", os.devnull, str(path)]


def sisimai(path: Path) -> list[str]:
    return ["perl", str(WORK / "sisimai_count.pl"), str(path)]


def reply_lines(messages: list[bytes]) -> list[str]:
    """The SMTP replies the corpus quotes: Diagnostic-Code values and lines that start with a reply code."""
    lines: list[str] = []
    for data in messages:
        text = data.decode("utf-8", errors="replace")
        lines += [m.strip() for m in re.findall(r"(?im)^Diagnostic-Code:[^;\n]*;([^\n]+)", text)]
        lines += [m.strip() for m in re.findall(r"(?m)^\s*([245][0-9][0-9][ -][^\n]+)", text)]
    return [line for line in lines if line]


def classify_rate(lines: list[str], seconds: float = 2.0) -> tuple[float, str]:
    """classify_reply calls per second in this process (or reasons.classify(parse_reply()) without it)."""
    import bouncekit

    function = getattr(bouncekit, "classify_reply", None)
    name = "classify_reply"
    if function is None:
        from bouncekit.reasons import classify

        def function(text: str) -> object:
            reply = bouncekit.parse_reply(text)
            return classify(reply.status, reply.reply_code, reply.text or text, reply.command)

        name = "reasons.classify(parse_reply())"
    for line in lines:  # warm up: compile rule tables once
        function(line)
    calls, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for line in lines:
            function(line)
        calls += len(lines)
    return calls / (time.perf_counter() - started), name


def big_mbox(corpus_mbox: Path, gigabytes: float) -> Path:
    path = WORK / f"big-{gigabytes:g}g.mbox"
    want = int(gigabytes * (1 << 30))
    if path.exists() and path.stat().st_size >= want:
        return path
    chunk = corpus_mbox.read_bytes()
    with open(path, "wb") as out:
        written = 0
        while written < want:
            out.write(chunk)
            written += len(chunk)
    return path


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=12, help="copies of the corpus in the workload (default 12)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each tool on each form (default 5)")
    parser.add_argument("--big-gb", type=float, default=1.0, help="size of the mbox for the memory check (0: skip)")
    parser.add_argument("--quick", action="store_true", help="one run each, repeat 4, no big mbox")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.runs, args.big_gb = 4, 1, 0.0

    ensure_sisimai()
    messages = corpus_messages()
    maildir, mbox, count = build_workload(messages, args.repeat)
    (WORK / "sisimai_count.pl").write_text(SISIMAI_DRIVER)
    print(f"workload: {count:,} messages ({len(messages)} corpus files x {args.repeat}), "
          f"{mbox.stat().st_size / (1 << 20):.1f} MiB as mbox; {args.runs} alternating runs each")
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")

    ratios: list[float] = []
    for form, path in (("maildir", maildir), ("mbox", mbox)):
        ours: list[Run] = []
        theirs: list[Run] = []
        for _ in range(args.runs):
            ours.append(rss_of(bouncekit(path, 1)))
            theirs.append(rss_of(sisimai(path)))
        ours_rate = median([count / r.seconds for r in ours])
        theirs_rate = median([count / r.seconds for r in theirs])
        run_ratios = [t.seconds / o.seconds for o, t in zip(ours, theirs, strict=True)]
        ratios += run_ratios
        print(f"{form:8} bouncekit {ours_rate:8,.0f} msg/s (peak RSS {max(r.peak_rss_mb for r in ours):.0f} MB)  "
              f"Sisimai {theirs_rate:8,.0f} msg/s (peak RSS {max(r.peak_rss_mb for r in theirs):.0f} MB, "
              f"{theirs[-1].output} records)  ratio {median(run_ratios):.2f}x")
    print(f"ratio bouncekit / Sisimai, one process each, median of {len(ratios)} runs: {median(ratios):.2f}x")

    one: list[Run] = []
    two: list[Run] = []
    for _ in range(args.runs):
        one.append(rss_of(bouncekit(mbox, 1)))
        two.append(rss_of(bouncekit(mbox, 2)))
    speedup = median([o.seconds / t.seconds for o, t in zip(one, two, strict=True)])
    print(f"--jobs 2 vs one job (mbox): {median([count / r.seconds for r in two]):,.0f} vs "
          f"{median([count / r.seconds for r in one]):,.0f} msg/s = {speedup:.2f}x; peak RSS per process "
          f"{max(r.peak_rss_mb for r in two):.0f} MB vs {max(r.peak_rss_mb for r in one):.0f} MB")

    lines = reply_lines(messages)
    rate, name = classify_rate(lines)
    print(f"{name}: {rate:,.0f} replies/s on {len(lines):,} reply lines of the corpus")

    if args.big_gb > 0:
        path = big_mbox(mbox, args.big_gb)
        big = rss_of(bouncekit(path, 2))
        print(f"{path.stat().st_size / (1 << 30):.2f} GiB mbox, --jobs 2: {big.seconds:.0f} s, "
              f"peak RSS per process {big.peak_rss_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
