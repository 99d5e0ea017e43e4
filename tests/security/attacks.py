"""The attack inputs: a table of (source file + importer suffix + expected outcome).

Each :class:`Attack` is one source document built through the real CLI, in a source
folder next to an ``outside/`` folder full of canaries (see ``harness.Sandbox``).
Placeholders in any text: ``{OUT}`` (the outside folder's path), ``{OUT_URI}``,
``{SRC}``, ``{PORT}`` (the loopback HTTP server), ``{TOKEN}``.

The table grows with the importers: a Markdown, HTML or EPUB importer adds rows with
its suffix (``.md``, ``.html``, ``.epub``) and the suite builds them the same way and
applies the same global checks (no read outside, no connection, no canary, no
attachment, no script / event handler / ``javascript:`` / remote resource in any
output) on top of each row's own expectation. Cases 11 (raw HTML in Markdown), 12 (web
HTML) and 13 (EPUB/ZIP inputs; ``harness.zip_bytes`` builds crafted archives) belong
to those importers' rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .harness import Device, Fifo, Sparse, Symlink, canary_png, png

INSIDE = "INSIDE{TOKEN}"


@dataclass(frozen=True)
class Expect:
    status: str = "ok"                 # the document's status in the build report
    codes: frozenset = frozenset()     # diagnostic codes that must be reported
    error: str | None = None           # text the error must contain (status "failed")
    line: int | None = None            # the line the error must name


@dataclass(frozen=True)
class Attack:
    name: str
    suffix: str
    source: str | bytes
    expect: Expect
    case: int                                         # the SECURITY.md case
    files: dict = field(default_factory=dict)         # more files in the source folder
    theme: str | None = None                          # a user theme from THEMES
    network: tuple = ()                               # --allow-network hosts
    needs: str | None = None                          # a capability (e.g. "mknod")

    @property
    def filename(self) -> str:
        return self.name + self.suffix


def model(body: str, head: str = "", doctype: str = "") -> str:
    """A canonical model document around ``body`` (the inside of <article>)."""
    return (f'{doctype}<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n<head><title>Attack</title>{head}'
            f'</head>\n<body><article>\n<p>Text before.</p>\n{body}\n</article></body></html>\n')


def figure(src: str) -> str:
    return f'<figure><img src="{src}" alt="a picture"/><figcaption>Caption.</figcaption></figure>'


def svg(inner: str, extra: str = "") -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="40" height="20"{extra}>{inner}<rect width="10" height="10"/></svg>')


OK = Expect("ok")
R001, R002, R003, R004, R005 = (Expect("ok", frozenset({c})) for c in ("R001", "R002", "R003", "R004", "R005"))
R007, R008, R009, R010 = (Expect("ok", frozenset({c})) for c in ("R007", "R008", "R009", "R010"))
S010 = Expect("ok", frozenset({"S010"}))
NOT_MODEL = Expect("failed", error="is not part of the article model")
BAD_SCHEME = Expect("failed", error="is not a local file")
ENTITIES = Expect("failed", error="declares XML entities", line=1)

ATTACKS: list[Attack] = []


def add(name, suffix, source, expect, case, **kw):
    ATTACKS.append(Attack(name, suffix, source, expect, case, **kw))


# 1. attachments: no source can make the PDF carry a file ----------------------------------
INSIDE_FILES = {"inside.dat": INSIDE + "\n"}
# (a link to a local file is no link at all: its text is kept, S025)
S025 = Expect("ok", frozenset({"S025"}))
add("att-a", ".xhtml", model('<p><a rel="attachment" href="inside.dat">notes</a></p>'), S025, 1, files=INSIDE_FILES)
add("att-a-case", ".xhtml", model('<p><a rel="nofollow ATTACHMENT" href="inside.dat">n</a></p>'), S025, 1,
    files=INSIDE_FILES)
add("att-a-tab", ".xhtml", model('<p><a rel="\tattachment\n" href="inside.dat">n</a></p>'), S025, 1,
    files=INSIDE_FILES)
add("att-a-outside", ".xhtml", model('<p><a rel="attachment" href="../outside/canary.txt">n</a></p>'), S025, 1)
add("att-a-web", ".xhtml", model('<p><a rel="attachment" href="https://example.org/x.pdf">n</a></p>'), S010, 1)
add("att-a-file-url", ".xhtml", model('<p><a rel="attachment" href="file://{OUT}/canary.txt">n</a></p>'),
    Expect("failed", error="link scheme 'file:' is not allowed"), 1)
add("att-link-head", ".xhtml", model("", head='<link rel="attachment" href="inside.dat"/>'), OK, 1,
    files=INSIDE_FILES)
add("att-link-body", ".xhtml", model('<link rel="attachment" href="inside.dat"/>'), NOT_MODEL, 1, files=INSIDE_FILES)
add("att-svg", ".xhtml", model(figure("att.svg")), R009, 1,
    files={"att.svg": svg('<a xlink:href="inside.dat" rel="attachment"><text y="9">x</text></a>'), **INSIDE_FILES})
add("att-theme", ".xhtml", model("<p>Themed.</p>"), S010, 1, theme="attach", files=INSIDE_FILES)
add("att-text", ".txt", '<a rel="attachment" href="inside.dat">notes</a>\n', OK, 1, files=INSIDE_FILES)

# 2. paths escaping the source folder, in every kind of reference ----------------------------
ESCAPES = {
    "dotdot": ("../outside/canary.png", R001),
    "pct-dots": ("%2e%2e/outside/canary.png", R001),
    "pct-slashes": ("%2E%2E%2Foutside%2Fcanary.png", R001),
    "deep-dotdot": ("../../../../../../../../etc/passwd", R001),
    "pct-etc": ("..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd", R001),
    "absolute": ("{OUT}/canary.png", R001),
    "etc-passwd": ("/etc/passwd", R001),
    "proc-root": ("/proc/self/root{OUT}/canary.png", R001),
    "proc-environ": ("/proc/self/environ", R001),
    "dev-fd": ("/dev/fd/0", R001),
    "double-pct": ("%252e%252e/outside/canary.png", R005),
    "fullwidth": ("\uff0e\uff0e/outside/canary.png", R005),
    "backslash": ("..\\outside\\canary.png", R005),
    "file-url": ("file://{OUT}/canary.png", BAD_SCHEME),
    "file-localhost": ("file://localhost{OUT}/canary.png", BAD_SCHEME),
    "protocol-relative": ("//localhost{OUT}/canary.png", BAD_SCHEME),
    "link": ("link.png", R001),
    "link-relative": ("rel-link.png", R001),
    "link-dir": ("linkdir/canary.png", R001),
    "link-chain": ("chain.png", R001),
    "link-svg": ("link.svg", R001),
}
LINKS = {"link.png": Symlink("{OUT}/canary.png"), "rel-link.png": Symlink("../outside/canary.png"),
         "linkdir": Symlink("{OUT}/dir"), "chain.png": Symlink("link.png"), "link.svg": Symlink("{OUT}/canary.svg")}
for key, (reference, expect) in ESCAPES.items():
    add(f"img-{key}", ".xhtml", model(figure(reference)), expect, 2, files=LINKS)

SVG_ESCAPES = {
    "image": '<image href="../outside/canary.png" width="5" height="5"/>',
    "image-xlink": '<image xlink:href="file://{OUT}/canary.png" width="5" height="5"/>',
    "image-abs": '<image href="{OUT}/canary.png" width="5" height="5"/>',
    "image-base": '<g xml:base="file://{OUT}/"><image href="canary.png" width="5" height="5"/></g>',
    "use": '<use href="../outside/canary.svg#a"/>',
    "fe-image": '<filter id="f"><feImage href="../outside/canary.png"/></filter>',
    "style-import": '<style>@import url(../outside/canary.css);</style>',
    "style-escaped": '<style>rect { fill: \\75 rl("../outside/canary.svg#g") }</style>',
    "style-attr": '<rect style="fill:url(../outside/canary.svg#g)" width="1" height="1"/>',
    "fill-attr": '<rect fill="url(../outside/canary.svg#g)" width="1" height="1"/>',
    "font-face": '<style>@font-face { font-family: x; src: url(../outside/canary.ttf) }</style>',
    "script": '<script>fetch("../outside/canary.txt")</script>',
    "onload": '<rect onload="alert(1)" width="1" height="1"/>',
    "foreign": '<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="../outside/canary.txt"/>'
               '</foreignObject>',
    "animate-href": '<a href="#x"><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>',
    "javascript": '<a xlink:href="javascript:alert(1)"><text>x</text></a>',
}
for key, inner in SVG_ESCAPES.items():
    add(f"svg-{key}", ".xhtml", model(figure(f"{key}.svg")), R009, 2, files={f"{key}.svg": svg(inner)})
add("svg-pi", ".xhtml", model(figure("pi.svg")), OK, 2,
    files={"pi.svg": '<?xml-stylesheet href="../outside/canary.css"?>' + svg("")})
add("svg-data-url", ".xhtml", model(figure(
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3Cimage href='file://{OUT}/canary.png' "
    "width='5' height='5'/%3E%3C/svg%3E")), R009, 2)
add("svg-disguised", ".xhtml", model(figure("disguised.png")), R009, 2,
    files={"disguised.png": svg('<image href="../outside/canary.png" width="5" height="5"/>')})
add("style-attr", ".xhtml", model('<p style="background: url(../outside/canary.png)">x</p>'),
    Expect("failed", error="attribute 'style' is not allowed"), 2)
add("base-body", ".xhtml", model('<base href="file:///etc/"/>' + figure("passwd")), NOT_MODEL, 2)
add("base-head", ".xhtml", model(figure("passwd"), head='<base href="file:///etc/"/>'), R005, 2)
add("source-link", ".txt", Symlink("{OUT}/canary.txt"), Expect("failed", error="outside"), 2)
add("sidecar-link", ".txt", "A source whose sidecar is a link out.\n", Expect("failed", error="outside"), 2,
    files={"sidecar-link.toml": Symlink("{OUT}/canary.txt")})
# the photo beside a plain text is a guessed name: a link out of the folder is not there (S003)
add("photo-link", ".txt", "PHOTO: A picture (Credit)\n\nText.\n", Expect("ok", frozenset({"S003"})), 2,
    files={"photo-link.jpg": Symlink("{OUT}/canary.png")})
add("photo-link-environ", ".txt", "PHOTO: A picture (Credit)\n\nText.\n", Expect("ok", frozenset({"S003"})), 2,
    files={"photo-link-environ.png": Symlink("/proc/self/environ")})
add("theme-escapes", ".xhtml", model("<p>Themed.</p>"), R001, 2, theme="escapes")

# 3. the network is off unless allowed ------------------------------------------------------
add("net-img", ".xhtml", model(figure("http://127.0.0.1:{PORT}/img.png")), BAD_SCHEME, 3)
add("net-link", ".xhtml", model('<p><a href="http://127.0.0.1:{PORT}/link">a link</a></p>'), OK, 3)
add("net-cite", ".xhtml", model('<blockquote cite="http://127.0.0.1:{PORT}/cite"><p>q</p></blockquote>'), OK, 3)
add("net-meta", ".xhtml", model("", head='<meta name="source" content="http://127.0.0.1:{PORT}/source"/>'), OK, 3)
add("net-svg", ".xhtml", model(figure("net.svg")), R009, 3,
    files={"net.svg": svg('<image href="http://127.0.0.1:{PORT}/svg.png" width="5" height="5"/>')})
add("net-text", ".txt", "See http://127.0.0.1:{PORT}/text for more.\n", OK, 3)
add("net-theme", ".xhtml", model("<p>Themed.</p>"), R002, 3, theme="network")
add("net-allowed", ".xhtml", model("<p>Themed, network allowed.</p>"), R002, 3, theme="network-allowed",
    network=("127.0.0.1",))

# 5. special and huge files -------------------------------------------------------------------
add("fifo-img", ".xhtml", model(figure("pipe.png")), R003, 5, files={"pipe.png": Fifo()})
add("device-img", ".xhtml", model(figure("urandom.png")), R003, 5, files={"urandom.png": Device()}, needs="mknod")
add("dir-img", ".xhtml", model(figure(".")), R003, 5)
add("huge-img", ".xhtml", model(figure("huge.png")), R004, 5, files={"huge.png": Sparse(10 * 2**30)})
add("huge-source", ".txt", Sparse(10 * 2**30), Expect("failed", error="is over the 64 MiB limit"), 5)

# 7. XML attacks through the model importer and SVG images ------------------------------------
XML = {
    "xxe-file": ('<!DOCTYPE html [<!ENTITY x SYSTEM "file://{OUT}/canary.txt">]>\n', "&x;", ENTITIES),
    "xxe-passwd": ('<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n', "&x;", ENTITIES),
    "xxe-fifo": ('<!DOCTYPE html [<!ENTITY x SYSTEM "{OUT}/trip-entity.fifo">]>\n', "&x;", ENTITIES),
    "xxe-http": ('<!DOCTYPE html [<!ENTITY x SYSTEM "http://127.0.0.1:{PORT}/xxe">]>\n', "&x;", ENTITIES),
    "xxe-attr": ('<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n', '<span title="&x;">t</span>',
                 ENTITIES),
    "pe-fifo": ('<!DOCTYPE html [<!ENTITY % p SYSTEM "{OUT}/trip-pe.fifo"> %p;]>\n', "x", ENTITIES),
    "pe-dtd": ('<!DOCTYPE html [<!ENTITY % p SYSTEM "{OUT}/canary.dtd"> %p;]>\n', "&leak;", ENTITIES),
    "dtd-fifo": ('<!DOCTYPE html SYSTEM "{OUT}/trip-dtd.fifo">\n', "x", OK),
    "dtd-file": ('<!DOCTYPE html SYSTEM "file://{OUT}/canary.dtd">\n', "&leak;",
                 Expect("failed", error="undefined entity &leak;", line=6)),
    "dtd-http": ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://127.0.0.1:{PORT}/x.dtd">\n', "x", OK),
    "laughs": ("<!DOCTYPE html [<!ENTITY a \"aaaaaaaaaa\">"
               + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(9))
               + "]>\n", "&j;", ENTITIES),
    "quadratic": ('<!DOCTYPE html [<!ENTITY a "' + "x" * 50000 + '">]>\n', "&a;" * 5000, ENTITIES),
    "xinclude": ("", '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{OUT}/canary.txt" parse="text"/>',
                 Expect("failed", error="is not part of the article model")),
    "stylesheet-pi": ('<?xml-stylesheet type="text/xsl" href="{OUT}/trip-xsl.fifo"?>\n', "x", OK),
    "deep": ("", "<div>" * 300 + "<p>x</p>" + "</div>" * 300, Expect("failed", error="Excessive depth")),
}
for key, (doctype, body, expect) in XML.items():
    add(f"xml-{key}", ".xhtml", model(f"<p>{body}</p>" if not body.startswith("<") else body, doctype=doctype),
        expect, 7)
for key in ("xxe-file", "xxe-fifo", "pe-fifo", "laughs", "dtd-fifo"):
    doctype, body, _ = XML[key]
    content = doctype.replace("html", "svg", 1) + svg(f"<text>{body}</text>")
    add(f"svgxml-{key}", ".xhtml", model(figure(f"{key}.svg")),
        R010 if key != "dtd-fifo" else OK, 7, files={f"{key}.svg": content})
add("xml-utf16-xxe", ".xhtml", ('<?xml version="1.0" encoding="UTF-16"?>\n' + model(
    "<p>&x;</p>", doctype='<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n')).encode("utf-16"),
    Expect("failed", error="declares XML entities"), 7)

# 8. image bombs and broken images ------------------------------------------------------------
BOMB = png(20000, 20000, bit_depth=1)      # 400 megapixels in ~60 KB
JPEG_BOMB = (b"\xff\xd8\xff\xc0\x00\x11\x08\xfd\xe8\xfd\xe8\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
             b"\xff\xd9")                    # a JPEG header claiming 65,000 × 65,000
add("bomb-png", ".xhtml", model(figure("bomb.png")), R008, 8, files={"bomb.png": BOMB})
add("bomb-jpeg", ".xhtml", model(figure("bomb.jpg")), R008, 8, files={"bomb.jpg": JPEG_BOMB})
add("bomb-in-svg", ".xhtml", model(figure("bomb.svg")), R009, 8, files={"bomb.svg": svg(
    '<image width="5" height="5" href="data:image/png;base64,' + __import__("base64").b64encode(BOMB).decode()
    + '"/>')})
add("broken-png", ".xhtml", model(figure("broken.png")), R007, 8, files={"broken.png": canary_png("x" * 40)[:60]})
add("missing-img", ".xhtml", model(figure("missing.png")), R005, 8)
add("not-an-image", ".xhtml", model(figure("text.png")), R007, 8, files={"text.png": "just text"})
add("not-an-image-named-svg", ".xhtml", model(figure("text.svg")), R010, 8, files={"text.svg": "<p>just text</p>"})

# 9, 10, 12. hostile text stays text --------------------------------------------------------------
add("text-markup", ".txt", "<script>alert(1)</script> <img src=x onerror=alert(1)> {{ 7*7 }} &amp; "
    "javascript:alert(1) <a href=\"javascript:alert(1)\">x</a>\n", OK, 9)
add("text-controls", ".txt", "Bell\x07 form\x0cfeed nul\x00 esc\x1b.\n\nNext\x01 line.\n",
    Expect("ok", frozenset({"S002"})), 10)
add("meta-controls", ".txt", "Metadata with control characters.\n", Expect("ok", frozenset({"S002"})), 10,
    files={"meta-controls.toml": 'title = "Bell\\u0007 and form\\u000cfeed"\nsubtitle = "nul\\u0000"\n'})
add("text-bad-utf8", ".txt", b"caf\xe9 \xff\xfe broken\n", Expect("ok", frozenset({"S006"})), 10)
add("model-js-link", ".xhtml", model('<p><a href="javascript:alert(1)">x</a></p>'),
    Expect("failed", error="link scheme 'javascript:' is not allowed"), 12)
add("model-script", ".xhtml", model("<script>alert(1)</script>"), NOT_MODEL, 12)
add("model-onclick", ".xhtml", model('<p onclick="alert(1)">x</p>'),
    Expect("failed", error="attribute 'onclick' is not allowed"), 12)
add("model-iframe", ".xhtml", model('<iframe src="../outside/canary.txt"/>'), NOT_MODEL, 12)
add("model-form", ".xhtml", model('<form action="http://127.0.0.1:{PORT}/f"><input name="x"/></form>'),
    NOT_MODEL, 12)


# user themes used by attacks: theme name -> files (relative to the theme folder) ----------------
THEMES: dict[str, dict] = {
    "attach": {
        "theme.toml": 'extends = "magazine"\n',
        "page.xhtml.j2": None,  # the base template with attachment links added (see the test)
        "inside-theme.txt": INSIDE + " theme\n",
        # CSS cannot make links or attachments in WeasyPrint 70; it can only fetch, so try that
        "print.css": ("@import url(inside-theme.txt);\n"
                      "body { background: url(inside-theme.txt) }\n"
                      "a[rel~=attachment]::after { content: url(inside-theme.txt) }\n"),
    },
    "escapes": {
        "theme.toml": 'extends = "magazine"\n',
        "print.css": (
            "body { background: url(../outside/canary.png) }\n"
            "h1::before { content: url(file://{OUT}/canary.svg) }\n"
            "p::after { content: url(linked.png) }\n"
            "@font-face { font-family: Evil; src: url(../outside/canary.ttf) }\n"
            "h2 { list-style-image: url(%2e%2e/outside/canary.png) }\n"
        ),
        "paged.css": "@import url(../outside/canary.css);\n@import url(\"file:///etc/passwd\");\n",
        "linked.png": Symlink("{OUT}/canary.png"),
    },
    "network": {
        "theme.toml": 'extends = "magazine"\n',
        "print.css": ("body { background: url(http://127.0.0.1:{PORT}/bg.png) }\n"
                      "@font-face { font-family: Net; src: url(http://127.0.0.1:{PORT}/font.ttf) }\n"),
        "paged.css": "@import url(http://127.0.0.1:{PORT}/import.css);\n",
    },
    "network-allowed": {
        "theme.toml": 'extends = "magazine"\n',
        "print.css": ("body { background: url(http://127.0.0.1:{PORT}/allowed-bg.png) }\n"
                      "h1::before { content: url(http://127.0.0.1:{PORT}/redirect) }\n"),
    },
}
