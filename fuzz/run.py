"""Run exporter's fuzz targets on demand.

    python fuzz/run.py                          # every target, 2,000 inputs each
    python fuzz/run.py import.txt svg -n 50000  # chosen targets, more inputs
    python fuzz/run.py --list
    python fuzz/run.py svg --atheris -- -runs=200000 -max_len=20000   # coverage-guided (atheris)

The built-in engine is a deterministic mutation fuzzer (``--seed``): it starts from the
seed inputs (``fuzz/seeds/<target>/`` plus the project's sample articles), and mutates
them (bit flips, byte edits, splices, and a dictionary of tokens that matter to
exporter: ``<!ENTITY``, ``../``, ``url(``, control characters, …). Each input runs
in-process under a per-input alarm. A crash (see ``targets.py``) or a hang is saved
to ``fuzz/crashes/<target>-<sha1>.bin`` and counted; the exit status is 1 if any.
With ``--atheris`` (``pip install -e .[fuzz]``), libFuzzer drives one target with
coverage feedback instead.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import signal
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

TOKENS = [
    b"<!DOCTYPE html [", b"<!ENTITY x SYSTEM \"file:///etc/passwd\">", b"<!ENTITY % p SYSTEM \"x\"> %p;", b"]>",
    b"&x;", b"&#0;", b"&#xD800;", b"&nbsp;", b"<![CDATA[", b"]]>", b"<!--", b"-->", b"<?xml-stylesheet href='x'?>",
    b"<xi:include href='/etc/passwd' xmlns:xi='http://www.w3.org/2001/XInclude'/>", b"<svg", b"<use href='#a'/>",
    b" id='a'", b"<image href='../x.png'/>", b" xlink:href='javascript:alert(1)'", b"<script>", b" onload='x'",
    b"<style>@import url(../x.css);</style>", b"url(", b"\\75 rl(", b"../", b"%2e%2e/", b"/etc/passwd",
    b"file:///", b"data:image/png;base64,", b"http://127.0.0.1:9/", b"<a rel='attachment' href='x'>",
    b"<img src='x.png' alt=''/>", b"<figure>", b"</figure>", b"<aside class='note' id='n'>", b"<a class='noteref' href='#n'/>",
    b"<table><tr><td>", b"<math xmlns='http://www.w3.org/1998/Math/MathML'>", b"\x00", b"\x0c", b"\x1b", b"\r\n",
    b"\xed\xa0\x80", b"\xef\xbf\xbe", b"\xff\xfe", b"\xef\xbb\xbf", b"PHOTO: ", b"Q: ", b"A: ", b"# ", b"* * *",
    b"- ", b"1. ", b"> ", b"[", b"]", b"?", b"\n\n", b"title = \"", b"[[contributors]]\nname = \"", b"\"\n",
    b"date = 2020-01-01T00:00:00Z\n", b"\\u0000", b"lang=\"\"", b" dir=\"rtl\"", b"=" * 40, b"a" * 300,
]

SEED_FILES = {
    "import.txt": ["sources/type-case.txt"],
    "import.xhtml": ["sources/harbour-ledger.xhtml"],
    "xml": ["sources/harbour-ledger.xhtml"],
    "sidecar": ["sources/type-case.toml"],
}
SEED_BYTES = {
    "svg": [b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="9" '
            b'height="9"><defs><g id="a"><rect width="1" height="1" style="fill:url(#g)"/></g></defs>'
            b'<use href="#a"/><image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>'
            b"<style>rect { fill: red }</style><text>x</text></svg>"],
    "reference": [b"ok.png", b"../x", b"%2e%2e/etc/passwd", b"etc-link/passwd", b"/etc/passwd", b"./ok.png"],
    "import.txt": [b"Title line\n\nQ: A question?\n\nA: An answer.\n\nPHOTO: A caption (Credit)\n"],
}


def seeds(name: str) -> list[bytes]:
    found = [(ROOT / p).read_bytes() for p in SEED_FILES.get(name, []) if (ROOT / p).is_file()]
    found += SEED_BYTES.get(name, [])
    folder = HERE / "seeds" / name
    if folder.is_dir():
        found += [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()]
    return found or [b""]


def mutate(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    data = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 5, 8))):
        choice = rng.random()
        position = rng.randrange(len(data) + 1)
        if choice < 0.30:
            token = rng.choice(TOKENS)
            data[position:position] = token
        elif choice < 0.45 and data:
            data[min(position, len(data) - 1)] ^= 1 << rng.randrange(8)
        elif choice < 0.60 and data:
            end = min(len(data), position + rng.randrange(1, 64))
            del data[position:end]
        elif choice < 0.70:
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
        elif choice < 0.80 and data:
            start = rng.randrange(len(data))
            chunk = data[start:start + rng.randrange(1, 256)]
            data[position:position] = chunk * rng.randrange(1, 4)
        elif choice < 0.90:
            other = rng.choice(pool)
            if other:
                start = rng.randrange(len(other))
                data[position:position] = other[start:start + rng.randrange(1, 512)]
        else:
            interesting = rng.choice((b"0", b"-1", b"65536", b"4294967296", b"1e308", b"NaN", b"\x00" * 4))
            data[position:position] = interesting
    return bytes(data[:200_000])


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang("input took too long")


def fuzz(name: str, target, iterations: int, seed: int, per_input: int, crashes: Path) -> tuple[int, int, float]:
    rng = random.Random(f"{seed}:{name}")
    pool = seeds(name)
    corpus = list(pool)
    found = 0
    started = time.monotonic()
    signal.signal(signal.SIGALRM, _alarm)
    for index in range(iterations):
        data = corpus[index] if index < len(corpus) else mutate(rng.choice(corpus), rng, pool)
        signal.alarm(per_input)
        try:
            target(data)
            if index >= len(pool) and rng.random() < 0.02 and len(corpus) < 500:
                corpus.append(data)  # keep some accepted inputs to mutate further
        except Exception as error:
            found += 1
            crashes.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha1(data).hexdigest()[:12]
            (crashes / f"{name}-{digest}.bin").write_bytes(data)
            (crashes / f"{name}-{digest}.txt").write_text("".join(traceback.format_exception(error)))
            print(f"  CRASH {name} #{index}: {error.__class__.__name__}: {str(error)[:160]}", flush=True)
        finally:
            signal.alarm(0)
    return iterations, found, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="targets to run (default: all)")
    parser.add_argument("-n", "--iterations", type=int, default=2000, help="inputs per target (default 2000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (runs are reproducible)")
    parser.add_argument("--per-input", type=int, default=10, help="seconds before an input counts as a hang")
    parser.add_argument("--crashes", type=Path, default=HERE / "crashes", help="where crashing inputs go")
    parser.add_argument("--list", action="store_true", help="list the targets")
    parser.add_argument("--atheris", action="store_true", help="coverage-guided, one target (libFuzzer args after --)")
    args, rest = parser.parse_known_args(argv)

    if args.atheris:
        return _atheris(args.targets, rest)
    from targets import TARGETS

    if args.list:
        print("\n".join(TARGETS))
        return 0
    names = args.targets or list(TARGETS)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; see --list")
    total_crashes = 0
    for name in names:
        iterations, crashes, seconds = fuzz(name, TARGETS[name], args.iterations, args.seed, args.per_input,
                                            args.crashes)
        total_crashes += crashes
        print(f"{name:14} {iterations:8d} inputs  {crashes:4d} crashes  {seconds:7.1f} s", flush=True)
    return 1 if total_crashes else 0


def _atheris(names: list[str], rest: list[str]) -> int:
    try:
        import atheris
    except ImportError:
        print("atheris is not installed: pip install -e .[fuzz]", file=sys.stderr)
        return 2
    if len(names) != 1:
        print("--atheris runs exactly one target", file=sys.stderr)
        return 2
    with atheris.instrument_imports(include=["exporter"]):
        from targets import TARGETS
    target = TARGETS[names[0]]
    arguments = [a for a in rest if a != "--"]
    if not any(not a.startswith("-") for a in arguments):  # no corpus folder given: start from the seeds
        corpus = HERE / "corpus" / names[0]
        corpus.mkdir(parents=True, exist_ok=True)
        for data in seeds(names[0]):
            (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)
        arguments.append(str(corpus))
    atheris.Setup([sys.argv[0], *arguments], target)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
