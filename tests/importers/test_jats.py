"""JATS/NLM: metadata, body structure, notes, tables, math, references, sub-articles,
and named entities resolved only through the bundled set."""

from __future__ import annotations

import sys

import pytest
from helpers import codes, find, imported, write

from exporter.errors import SourceError
from exporter.pipeline import load

JATS = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.2 20190208//EN" "JATS-archivearticle1.dtd">
<article xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:mml="http://www.w3.org/1998/Math/MathML" xml:lang="en">
<front>
<journal-meta><journal-title-group><journal-title>Journal of Tests</journal-title></journal-title-group>
<publisher><publisher-name>Test Press</publisher-name></publisher></journal-meta>
<article-meta>
<article-id pub-id-type="doi">10.1234/jot.5</article-id>
<title-group><article-title>Bees &amp; &alpha;-particles</article-title><subtitle>A&nbsp;study</subtitle></title-group>
<contrib-group>
<contrib contrib-type="author" corresp="yes"><name><surname>Okafor</surname><given-names>Ada</given-names></name>
<xref ref-type="aff" rid="aff1"/></contrib>
<contrib contrib-type="editor"><name><surname>Berg</surname><given-names>Lars</given-names></name></contrib>
</contrib-group>
<aff id="aff1"><label>1</label><institution>University of Samples</institution>, <country>Ghana</country></aff>
<pub-date pub-type="epub"><day>3</day><month>2</month><year>2021</year></pub-date>
<history><date date-type="received"><day>1</day><month>9</month><year>2020</year></date></history>
<permissions><copyright-statement>© 2021, Okafor</copyright-statement>
<license xlink:href="http://creativecommons.org/licenses/by/4.0/"><license-p>Open under CC BY.</license-p></license></permissions>
<abstract><p>We measured bees.</p></abstract>
<kwd-group><kwd>bees</kwd><kwd>tests</kwd></kwd-group>
</article-meta></front>
<body>
<sec id="s1"><title>Introduction</title>
<p>Bees fly<xref ref-type="fn" rid="fn1">1</xref> as in <xref ref-type="bibr" rid="r1">Okafor 2020</xref>
and <xref ref-type="fig" rid="f1">Figure 1</xref>; energy is <inline-formula><mml:math><mml:msup><mml:mi>x</mml:mi><mml:mn>2</mml:mn></mml:msup></mml:math></inline-formula>.
<fig id="f1"><label>Figure 1.</label><caption><title>A bee.</title><p>Seen from above.</p></caption>
<graphic xlink:href="fig1"/><attrib>Photo: A. Okafor</attrib>
<permissions><copyright-statement>© 2004, Someone Else, All Rights Reserved</copyright-statement></permissions></fig>
</p>
<disp-formula id="e1"><label>(1)</label><mml:math display="block"><mml:mfrac><mml:mi>a</mml:mi><mml:mi>b</mml:mi></mml:mfrac></mml:math></disp-formula>
<sec id="s1a"><title>Detail</title>
<list list-type="order"><list-item><p>One</p></list-item><list-item><p>Two</p></list-item></list>
<table-wrap id="t1"><label>Table 1.</label><caption><p>Counts</p></caption>
<table><thead><tr><th>Hive</th><th colspan="2">Bees</th></tr></thead>
<tbody><tr><td rowspan="2">A</td><td>3<xref ref-type="table-fn" rid="tf1">a</xref></td><td>4</td></tr><tr><td>5</td><td>6</td></tr></tbody></table>
<table-wrap-foot><fn id="tf1"><label>a</label><p>Estimated.</p></fn></table-wrap-foot></table-wrap>
<boxed-text id="b1"><caption><title>Box 1</title></caption><p>Boxed words.</p></boxed-text>
<disp-quote><p>A quotation.</p><attrib>Someone</attrib></disp-quote>
</sec></sec>
</body>
<back>
<ack><p>Thanks to the bees.</p></ack>
<fn-group><fn id="fn1"><p>A footnote.</p></fn><fn fn-type="conflict" id="c1"><label>Competing interests:</label><p>None.</p></fn></fn-group>
<ref-list><title>References</title>
<ref id="r1"><element-citation publication-type="journal"><person-group person-group-type="author">
<name><surname>Okafor</surname><given-names>A</given-names></name></person-group><year>2020</year>
<article-title>Earlier bees</article-title><source>Bee Journal</source><volume>4</volume><fpage>1</fpage><lpage>9</lpage>
<pub-id pub-id-type="doi">10.1/bj.4</pub-id></element-citation></ref>
<ref id="r2"><mixed-citation><name><surname>Ito</surname> <given-names>K</given-names></name> (<year>1999</year>) <article-title>Old bees</article-title>. <source>Apis</source> <volume>2</volume>: <fpage>3</fpage>.</mixed-citation></ref>
</ref-list>
</back>
<sub-article article-type="decision-letter" id="sa1"><front-stub><title-group><article-title>Decision letter</article-title></title-group></front-stub>
<body><p>Accept.</p><sec><title>Point</title><p>One point.</p></sec></body></sub-article>
</article>
"""


@pytest.fixture(scope="module")
def article(tmp_path_factory):
    return imported(tmp_path_factory.mktemp("jats"), "bees.xml", JATS)


def test_front_matter_to_metadata(article):
    meta = article.meta
    assert meta.title == "Bees & α-particles" and meta.subtitle == "A study"
    assert [(c.name, c.role, c.file_as) for c in meta.contributors] == [("Ada Okafor", "aut", "Okafor, Ada"),
                                                                        ("Lars Berg", "edt", "Berg, Lars")]
    assert (meta.date, meta.publication, meta.publisher) == ("2021-02-03", "Journal of Tests", "Test Press")
    assert meta.identifier == "doi:10.1234/jot.5" and meta.source == "https://doi.org/10.1234/jot.5"
    assert meta.license == "http://creativecommons.org/licenses/by/4.0/" and meta.rights == "© 2021, Okafor"
    assert meta.subjects == ["bees", "tests"] and meta.description == "We measured bees."
    assert "S034" in codes(article)


def test_body_structure(article):
    assert find(article, "/article/section[1]/@class") == ["abstract"]
    assert find(article, "//section[@id='s1']/h2/text()") == ["Introduction"]
    assert find(article, "//section[@id='s1a']/h3/text()") == ["Detail"]
    assert find(article, "//ol/li/p/text()") == ["One", "Two"]
    assert find(article, "//aside[@class='sidebar' and @id='b1']/h4/text()") == ["Box 1"]
    assert find(article, "//blockquote/p[@class='attribution']/text()") == ["Someone"]
    assert find(article, "//section[@class='acknowledgments']/p/text()") == ["Thanks to the bees."]
    sub = find(article, "//section[@class='sub-article' and @id='sa1']")[0]
    assert sub.xpath("h2/text()") == ["Decision letter"] and sub.xpath("section/h3/text()") == ["Point"]


def test_figures_tables_and_their_notes(article):
    (figure,) = find(article, "//figure[@id='f1']")
    assert not figure.xpath("img")  # the graphic file is missing: the caption stays
    caption = figure.xpath("string(figcaption)")
    assert "Figure 1." in caption and "Seen from above." in caption and "All Rights Reserved" in caption
    assert figure.xpath("figcaption//span[@class='credit']/text()") == ["Photo: A. Okafor"]
    assert "All Rights Reserved" in figure.xpath("string(figcaption//small)")
    assert {"S022", "S038"} <= set(codes(article))
    (table,) = find(article, "//figure[@id='t1']/table")
    assert table.xpath("thead/tr/th[2]/@colspan") == ["2"] and table.xpath("tbody/tr[1]/td[1]/@rowspan") == ["2"]
    assert find(article, "//figure[@id='t1']/p[@id='tf1']")[0].xpath("string()") == "a Estimated."
    assert find(article, "//td/a/@href") == ["#tf1"]


def test_links_notes_math(article):
    assert find(article, "//a[@class='noteref']/@href") == ["#fn1"]
    assert find(article, "//aside[@class='note' and @id='fn1']/p/text()") == ["A footnote."]
    assert find(article, "//a[.='Okafor 2020']/@href") == ["#r1"]
    assert find(article, "//a[.='Figure 1']/@href") == ["#f1"]
    inline = find(article, "//p/m:math")[0]
    assert inline.get("alttext") == "x^2" and inline.get("display") is None
    (block,) = find(article, "//figure[@id='e1']/m:math")
    assert block.get("display") == "block" and find(article, "//figure[@id='e1']/figcaption/text()") == ["(1)"]


def test_references_and_article_information(article):
    refs = find(article, "//section[@class='references']/ol[@class='references']/li")
    assert [li.get("id") for li in refs] == ["r1", "r2"]
    assert refs[0].xpath("string()").startswith("Okafor A. 2020. Earlier bees. Bee Journal 4:1–9.")
    assert refs[0].xpath("a/@href") == ["https://doi.org/10.1/bj.4"]
    assert refs[1].xpath("string()") == "Ito K (1999) Old bees. Apis 2: 3."
    info = find(article, "//section[@id='article-information']")[0].xpath("string()")
    for expected in ("Ada Okafor", "corresponding author", "University of Samples", "Ghana",
                     "Received 2020-09-01", "Open under CC BY."):
        assert expected in info
    assert "Competing interests: None." in article.body.xpath("string()")  # back fn-group, in place


def test_unknown_dtd_with_entities_is_refused(tmp_path):
    source = write(tmp_path, "x.xml", '<!DOCTYPE article PUBLIC "-//Someone//DTD Private//EN" "p.dtd">'
                   "<article><body><p>&alpha;</p></body></article>")
    with pytest.raises(SourceError, match="cannot be resolved") as caught:
        load(source)
    assert caught.value.line == 1


def test_declared_and_external_entities_are_refused_without_reading_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY", encoding="utf-8")
    opened: list[str] = []

    def hook(event, args):
        if event == "open" and isinstance(args[0], str) and "secret" in args[0]:
            opened.append(args[0])

    sys.addaudithook(hook)
    payloads = [
        f'<!DOCTYPE article [<!ENTITY x SYSTEM "file://{secret}">]><article><body><p>&x;</p></body></article>',
        f'<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.2//EN" "{secret}">'
        '<article><body><p>&alpha;</p></body></article>',
        f'<!DOCTYPE article SYSTEM "{secret}"><article><body><p>Plain.</p></body></article>',
        '<!DOCTYPE article [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<article><body><p>&b;</p></body></article>',
    ]
    for index, payload in enumerate(payloads):
        path = write(tmp_path, f"p{index}.xml", payload)
        try:
            article = load(path)
        except SourceError:
            continue
        assert "CANARY" not in article.body.xpath("string()")
    assert opened == []


def test_not_jats(tmp_path):
    with pytest.raises(SourceError, match="not a JATS article"):
        load(write(tmp_path, "feed.xml", "<rss><channel/></rss>"))


def test_entity_catalog_is_always_asked_before_the_refusal(tmp_path):
    """lxml keeps a parser's resolvers in a set: the catalog must not depend on their order."""
    from exporter.diagnostics import Diagnostics
    from exporter.importers.entities import parse_with_entities

    data = JATS.encode("utf-8")
    for _ in range(25):
        tree = parse_with_entities(data, tmp_path / "bees.xml", Diagnostics())
        assert tree.findtext(".//article-title") == "Bees & α-particles"


LINKS = """<?xml version="1.0" encoding="UTF-8"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" xml:lang="en"><front><article-meta>
<title-group><article-title>Links</article-title></title-group>
<related-article related-article-type="corrected-article" xlink:href="https://example.org/a b">Original</related-article>
</article-meta></front><body>
<p>See <ext-link ext-link-type="uri" xlink:href="http://www.scielo.org.ar/scielo.php?script=sci_arttext&amp;pid= S1607-0X2012">SciELO</ext-link>,
<uri>https://example.org/a|b{c}</uri>, <ext-link xlink:href="https://bücher.example/straße?q=é">Bücher</ext-link>,
<ext-link xlink:href="https://exa mple.org/">a bad host</ext-link> and <email>ada okafor@example.org</email>.</p>
</body></article>
"""


def test_urls_are_percent_encoded_or_dropped_with_a_diagnostic(tmp_path):
    from helpers import XHTML_NS, build_epub, epub_part, epubcheck_messages

    source = write(tmp_path, "links.xml", LINKS)
    article = load(source)
    assert find(article, "//a/@href") == [
        "http://www.scielo.org.ar/scielo.php?script=sci_arttext&pid=%20S1607-0X2012",
        "https://example.org/a%7Cb%7Bc%7D", "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A9",
        "mailto:ada%20okafor@example.org", "https://example.org/a%20b"]
    assert find(article, "//span[.='a bad host']") and not find(article, "//a[.='a bad host']")
    (bad,) = [d for d in article.diagnostics if d.code == "S025"]
    assert bad.line == 8 and "exa mple" in bad.message
    epub = build_epub(source, tmp_path / "out")
    page = epub_part(epub, "text/article.xhtml")
    assert "http://www.scielo.org.ar/scielo.php?script=sci_arttext&pid=%20S1607-0X2012" in page.xpath(
        "//x:a/@href", namespaces=XHTML_NS)
    assert epubcheck_messages(epub) == []


TABLES = """<?xml version="1.0" encoding="UTF-8"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" xml:lang="en"><front><article-meta>
<title-group><article-title>Tables</article-title></title-group></article-meta></front><body>
<table-wrap id="t1"><label>Table 1</label><caption><p>Counts.</p></caption>
<table><col span="1"/><col span="2"/>
<tfoot><tr><td colspan="3">Total 9</td></tr></tfoot>
<thead><tr><th>Hive</th><th colspan="2">Bees</th></tr></thead>
<tbody><tr><td>A</td><td>3</td><td>6</td></tr></tbody></table></table-wrap>
</body></article>
"""


def test_table_parts_in_html_order(tmp_path):
    from helpers import build_epub, epubcheck_messages

    source = write(tmp_path, "tables.xml", TABLES)
    article = load(source)
    (table,) = find(article, "//figure[@id='t1']/table")
    assert [c.tag for c in table] == ["colgroup", "thead", "tbody", "tfoot"]
    assert table.xpath("colgroup/col/@span") == ["1", "2"]
    assert table.xpath("string(tfoot)") == "Total 9"
    assert epubcheck_messages(build_epub(source, tmp_path / "out")) == []


FRONT = """<?xml version="1.0" encoding="UTF-8"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" xml:lang="en"><front><article-meta>
<title-group><article-title>Status</article-title>
<fn-group content-type="pub-status"><fn><p>[version 2; peer review: 2 approved]</p></fn></fn-group></title-group>
</article-meta>
<notes notes-type="competing-interest-statement"><p>The authors have declared no competing interest.</p></notes>
<notes><title>Data availability</title><p>All data are in the repository.</p></notes>
</front><body>
<p>See note <xref ref-type="table-fn" rid="tn1">a</xref>.</p>
<table-wrap id="t1"><table><tbody><tr><td>1<xref ref-type="table-fn" rid="tn1">a</xref></td></tr></tbody></table>
<table-wrap-foot><fn id="f1"><label>a</label><p id="tn1">Estimated.</p></fn><fn><p id="tn2">Rounded.</p></fn>
</table-wrap-foot></table-wrap>
</body></article>
"""


def test_front_notes_publication_status_and_note_paragraph_ids_are_kept(tmp_path):
    article = imported(tmp_path, "front.xml", FRONT)
    info = find(article, "//section[@id='article-information']")[0]
    assert "[version 2; peer review: 2 approved]" in info.xpath("string()")
    headings = info.xpath(".//h3/text()")
    assert "Competing interest statement" in headings and "Data availability" in headings
    assert "The authors have declared no competing interest." in info.xpath("string()")
    assert "All data are in the repository." in info.xpath("string()")
    assert find(article, "//a[.='a']/@href") == ["#tn1", "#tn1"]
    assert find(article, "//figure[@id='t1']/p[@id='f1']/span/@id") == ["tn1"]
    assert find(article, "//figure[@id='t1']/p[@id='tn2']/text()") == ["Rounded."]
    assert "M004" not in codes(article)
