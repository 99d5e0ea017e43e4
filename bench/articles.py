"""The benchmark's articles: Markdown that exporter and pandoc both read.

``corpus_markdown()`` is the Markdown of the shared development corpus
(``../shared/corpus/markdown``, real articles in four languages) when it is present;
``generate(folder, count)`` writes ``count`` made-up articles — the same ones on every
run (a fixed seed) — with YAML front matter (title, author, date, language) and what a
magazine article holds: headings, paragraphs with emphasis and links, lists, a block
quote, a pipe table and footnotes. Lengths vary from about 340 to 2,500 words (one to
six printed pages), so a pool of workers sees long and short documents as in a real
archive; ``brief=True`` makes one-page news briefs instead (the scaling runs, where the
number of documents is what varies).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

__all__ = ["SHARED_MARKDOWN", "corpus_markdown", "generate", "prepare"]

SHARED_MARKDOWN = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "markdown"

_WORDS = (
    "harbour ledger tide ferry council budget river survey archive reader printer column edition "
    "morning district school bridge market station letter witness record season county office report "
    "village engine paper winter summer road garden museum library street mayor teacher doctor nurse "
    "farmer baker weaver signal lantern quarry timber granite canal dock crane cargo manifest ballot "
    "committee hearing inquiry figure chart measure account estimate margin volume chapter index"
).split()
_GLUE = "the a of in on for with and but or to from by as at under over after before while".split()
_NAMES = ("Ada Brennan", "Tomas Okafor", "Mira Halvorsen", "Jun Takeda", "Leila Haddad", "Owen Price",
          "Sofia Marquez", "Ravi Iyer", "Greta Lind", "Kwame Mensah")


def _sentence(rng: random.Random, words: int) -> str:
    out = []
    for i in range(words):
        pool = _GLUE if i % 3 == 1 else _WORDS
        out.append(rng.choice(pool))
    text = " ".join(out)
    return text[0].upper() + text[1:] + rng.choice("....?")


def _paragraph(rng: random.Random, sentences: int, note: list[int] | None = None) -> str:
    parts = [_sentence(rng, rng.randint(8, 22)) for _ in range(sentences)]
    i = rng.randrange(len(parts))
    word = rng.choice(_WORDS)
    parts[i] = parts[i].replace(f" {word} ", f" *{word}* ", 1)
    if rng.random() < 0.3:
        j = rng.randrange(len(parts))
        parts[j] = parts[j].rstrip(".") + f", as the [council minutes](https://example.org/{word}) record."
    if note is not None and rng.random() < 0.25:
        note[0] += 1
        parts[-1] += f"[^{note[0]}]"
    return " ".join(parts)


def article(index: int, brief: bool = False) -> str:
    """The Markdown of generated article number ``index``; a ``brief`` one is a news brief
    of one printed page (about 150 to 500 words)."""
    rng = random.Random(7919 * index + 17 + (1 if brief else 0))
    title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 6))).capitalize()
    author = rng.choice(_NAMES)
    date = f"20{rng.randint(10, 24):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    lines = ["---", f"title: \"{title} ({index})\"", f"author: {author}", f"date: {date}", "lang: en", "---", ""]
    notes = [0]
    sections = rng.choice((0, 1, 1)) if brief else rng.choice((1, 2, 2, 3, 3, 4, 5, 6))
    for _ in range(rng.randint(2, 4) if brief else 1):
        lines += [_paragraph(rng, rng.randint(3, 5)), ""]
    for s in range(sections):
        lines += [f"## {_sentence(rng, rng.randint(3, 6)).rstrip('.?')}", ""]
        for _ in range(rng.randint(1, 3) if brief else rng.randint(2, 5)):
            lines += [_paragraph(rng, rng.randint(3, 7), notes), ""]
        kind = rng.random()
        if kind < 0.25:
            lines += [f"- {_sentence(rng, rng.randint(4, 10))}" for _ in range(rng.randint(3, 6))] + [""]
        elif kind < 0.45:
            lines += [f"> {_paragraph(rng, 2)}", ">", f"> — {rng.choice(_NAMES)}", ""]
        elif kind < 0.6:
            lines += ["| Item | Count | Note |", "|---|---:|---|"]
            lines += [f"| {rng.choice(_WORDS)} | {rng.randint(1, 9999)} | {_sentence(rng, 4)} |"
                      for _ in range(rng.randint(3, 8))] + [""]
        elif kind < 0.7:
            lines += [f"{n}. {_sentence(rng, rng.randint(5, 12))}" for n in range(1, rng.randint(3, 6))] + [""]
    for n in range(1, notes[0] + 1):
        lines += [f"[^{n}]: {_sentence(rng, rng.randint(6, 14))}", ""]
    return "\n".join(lines)


def generate(folder: Path, count: int, start: int = 0, brief: bool = False) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(start, start + count):
        path = folder / f"{'brief' if brief else 'article'}-{index:04d}.md"
        text = article(index, brief)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def corpus_markdown() -> list[Path]:
    if not SHARED_MARKDOWN.is_dir():
        return []
    return sorted(SHARED_MARKDOWN.rglob("*.md"))


def prepare(folder: Path, count: int, *, with_corpus: bool = True) -> list[Path]:
    """``count`` articles in ``folder`` (flat, distinct names): the corpus Markdown first
    (when present and ``with_corpus``), then generated ones."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    paths: list[Path] = []
    if with_corpus:
        for source in corpus_markdown()[:count]:
            language = source.parent.name if source.parent.name != "_articles" else "en"
            target = folder / f"corpus-{language}-{source.name}"
            shutil.copy(source, target)
            paths.append(target)
    return paths + generate(folder, count - len(paths))
