"""News intake on short page fragments written for these tests: the page's own metadata
(title, date, publisher) and page debris removed as data (every removal recorded).

Each fragment reproduces one feature of saved news pages (a wire dateline, a store date
line, a ticker headline above the real one, a caption with a photo credit, ...); the
real evaluation pages stay out of the repository (scripts/news_quality.py measures them).
"""

from __future__ import annotations

import pytest

from etnc_db.extract import parse_document, render_segments
from etnc_db.extract.junk import load_rules
from etnc_db.extract.metadata import detect_metadata, find_date, load_metadata_rules


def _parse(text: str):
    return parse_document(text, kind="news_article", file_name="fragment.txt")


def _texts(doc) -> list[str]:
    return [p.text for p in doc.passages]


def _rules(doc, text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in doc.removed:
        out.setdefault(r.rule_id, []).append(text[r.char_start:r.char_end])
    return out


def _check_invariants(doc, text: str) -> None:
    """Removals are recorded with a rule and a reason and never overlap a passage."""
    for r in doc.removed:
        assert r.rule_id and r.reason and 0 <= r.char_start < r.char_end <= len(text)
    for p in doc.passages:
        assert render_segments(text, p.segments, p.separators) == p.text
        for s, e in p.segments:
            assert not any(r.char_start < e and s < r.char_end for r in doc.removed), (p.text, text[s:e])


WIRE = (
    "Markets wrap: European shares edge higher as banks rally\n\n"
    "EU opens anti-subsidy probe into Chinese wind turbine makers\n\n"
    "BRUSSELS, 18 November 2022 (Reuters) - The European Commission opened an investigation into "
    "Chinese wind turbine makers on Tuesday, saying subsidies may distort the market for wind farms.\n\n"
    "The probe covers suppliers bidding for projects in Spain, Greece, France and Romania.\n\n"
    "The Commission said it would decide within months whether the turbine makers must"
)


def test_wire_dateline_gives_date_and_publisher_and_is_cut():
    d = _parse(WIRE)
    assert (d.published, d.published_precision, d.publisher) == ("2022-11-18", "day", "Reuters")
    assert d.title == "EU opens anti-subsidy probe into Chinese wind turbine makers"
    assert _texts(d)[0].startswith("The European Commission opened")
    removed = _rules(d, WIRE)
    assert removed["metadata-dateline"] == ["BRUSSELS, 18 November 2022 (Reuters) - "]
    assert removed["before-title"] == ["Markets wrap: European shares edge higher as banks rally"]
    _check_invariants(d, WIRE)


def test_truncated_last_line_stays_a_passage():
    d = _parse(WIRE)
    assert _texts(d)[-1] == "The Commission said it would decide within months whether the turbine makers must"
    assert not [s for s in d.sections if s.kind == "heading"]


def test_heading_needs_body_text_after_it():
    text = ("Chinese carmaker opens research centre in Munich\n\n"
            "The carmaker said the centre in Munich would employ 300 engineers.\n\n"
            "Software first\n\n"
            "The carmaker wants to write software for cars sold in Europe.\n\n"
            "Engineers from the centre will")
    d = _parse(text)
    assert [s.title for s in d.sections if s.kind == "heading"] == ["Software first"]
    assert _texts(d)[-1] == "Engineers from the centre will"


DATE_LINE = (
    "Advertisement\n"
    "Ultra-pure gas delivery systems for fabs | Semigas\n\n"
    "Chinese battery maker picks Hungary for second European plant\n\n"
    "Friday, November 15, 2024\n\n"
    "By Jane Doe\n\n"
    "A Chinese battery maker said it would build its second European plant in Hungary, investing "
    "7 billion euros in a site near Debrecen.\n\n"
    "The plant will start production on 1 March 2026, the battery maker said.\n\n"
    "Share on Facebook\nTweet\nEmail\n\n"
    "Reading time: 3 min\n\n"
    "Related articles\n"
    "China warns EU over tariffs\n"
    "Hungary courts Asian investors"
)


def test_date_line_ad_labels_byline_and_share_bar():
    d = _parse(DATE_LINE)
    assert (d.published, d.published_precision) == ("2024-11-15", "day")
    assert d.title == "Chinese battery maker picks Hungary for second European plant"
    assert _texts(d) == [
        "A Chinese battery maker said it would build its second European plant in Hungary, investing "
        "7 billion euros in a site near Debrecen.",
        "The plant will start production on 1 March 2026, the battery maker said.",
    ]
    removed = _rules(d, DATE_LINE)
    assert removed["advertisement-label"] == ["Advertisement"]
    assert removed["metadata-date-line"] == ["Friday, November 15, 2024"]
    assert removed["byline"] == ["By Jane Doe"]
    assert len(removed["share-bar"]) == 3 and removed["reading-time"] == ["Reading time: 3 min"]
    assert "Hungary courts Asian investors" in removed["related-list"]
    _check_invariants(d, DATE_LINE)


def test_store_date_line_glued_to_headline():
    text = (" date 2024-07-08 Chinese EV maker to build plant in Turkey\n"
            "The EV maker signed a deal with the Turkish government on Monday to build a plant in Turkey.\n"
            "The plant will employ 5,000 people when it opens in late 2026.")
    d = _parse(text)
    assert d.title == "Chinese EV maker to build plant in Turkey"
    assert (d.published, d.published_precision) == ("2024-07-08", "day")
    spans = {m.field: text[m.char_start:m.char_end] for m in d.metadata_spans}
    assert spans == {"title": d.title, "published": "2024-07-08"}
    assert _rules(d, text)["store-date-prefix"] == [" date 2024-07-08 "]


def test_store_month_on_a_caption_line():
    text = (" date 2023-06 Workers assemble a chip machine at a plant in the south of the country (Jane Doe/AP)\n\n"
            "Dutch makers of chip machines will need an export licence from September, the government said.\n\n"
            "The rule is seen as part of a policy aimed at restricting China's access to such machines.")
    d = _parse(text)
    assert (d.published, d.published_precision, d.title, d.publisher) == ("2023-06", "month", None, None)
    assert _texts(d)[0].startswith("Dutch makers")
    assert "photo-credit-parenthesis" in _rules(d, text)


def test_issue_line_and_source_line():
    text = ("Issue 47 | November 2024\n\n"
            "EU imposes provisional duties on Chinese electric cars\n\n"
            "05 July 2024\n\n"
            "The European Commission imposed provisional countervailing duties on imports of electric cars "
            "from China after an investigation into subsidies.\n\n"
            "Source: European Commission")
    d = _parse(text)
    assert d.title == "EU imposes provisional duties on Chinese electric cars"
    assert (d.published, d.publisher) == ("2024-07-05", "European Commission")
    assert len(d.passages) == 1


@pytest.mark.parametrize("text, date, publisher", [
    ("Huawei va construire une usine en Alsace\n\nPublié le 12 mars 2024 à 10h30\n\n"
     "Le groupe chinois Huawei a annoncé jeudi la construction d'une usine de 200 millions d'euros en Alsace.",
     "2024-03-12", None),
    ("Berlin, 28. April 2023 (Reuters) - Die Bundesregierung plant keine Exportverbote für Chip-Chemikalien "
     "nach China.\n\nDas Wirtschaftsministerium äußerte sich zunächst nicht.", "2023-04-28", "Reuters"),
    ("Envision construirá una gigafactoría en Extremadura\n\nActualizado 28/02/2024 10:00\n\n"
     "La empresa china Envision construirá una fábrica de baterías en Extremadura con una inversión de "
     "2.500 millones de euros.", "2024-02-28", None),
    ("Portugal bans high-risk suppliers from 5G networks\n\n(Bloomberg) -- Portugal will prohibit operators "
     "from using equipment from suppliers considered high risk.", None, "Bloomberg"),
    ("Il governo blocca la vendita di un produttore di chip\n\nPubblicato il 12 marzo 2024 alle 10:30\n\n"
     "Il governo ha bloccato la vendita di un produttore italiano di semiconduttori a un gruppo cinese, "
     "secondo fonti vicine al dossier.", "2024-03-12", None),
    ("Updated: November 25, 2024 Source: Xinhua News Agency\n\nBARCELONA, Nov. 23 (Xinhua) -- A joint venture "
     "started car production in Barcelona on Saturday.", "2024-11-25", "Xinhua News Agency"),
])
def test_dates_and_publishers_in_several_languages(text, date, publisher):
    d = _parse(text)
    assert (d.published, d.publisher) == (date, publisher)
    _check_invariants(d, text)


def test_no_year_no_date_and_body_dates_are_not_publication_dates():
    afp = ("LONDON, Nov 29: Britain removed a Chinese state nuclear company from a power plant project on "
           "Tuesday, the government said.")
    assert _parse(afp).published is None
    body = ("Chinese firm to open plant in Spain\n\nThe firm said the plant will open on 1 March 2026 and "
            "employ 1,000 people.\n\nIt signed the agreement on 12 January 2024 in Madrid.")
    d = _parse(body)
    assert d.published is None and d.title == "Chinese firm to open plant in Spain"
    ticker = "Dow Jones12-11\n\nBy Jane Doe\n\nThe EU opened a probe into a Chinese scanner maker on Thursday."
    d = _parse(ticker)
    assert d.published is None and _rules(d, ticker)["ticker-date"] == ["Dow Jones12-11"]


def test_captions_credits_and_repeats():
    caption = ("A man walks past the logo of a Chinese telecoms company at a trade fair in Barcelona, where "
               "the company showed its newest network equipment to operators from across Europe and Asia "
               "on the first day of the fair, which runs until Thursday")
    assert len(caption) > 200
    text = ("Operators told to remove Chinese parts from 5G networks\n\n"
            f"{caption}\n\n{caption}\n\n"
            "The government told operators to remove Chinese components from their 5G core networks by 2026.\n\n"
            "Workers install an antenna on a mast. Photo: Jane Doe\n\n"
            "Workers install an antenna on a mast (Photo/Xinhua)\n\n"
            "A worker checks a cable. Image: Jane Doe / Getty Images\n\n"
            "The operators have until 2029 to replace parts in the radio access network.\n\n"
            "The government told operators to remove Chinese components from their 5G core networks by 2026.")
    d = _parse(text)
    assert _texts(d) == [
        "The government told operators to remove Chinese components from their 5G core networks by 2026.",
        "The operators have until 2029 to replace parts in the radio access network.",
    ]
    removed = _rules(d, text)
    assert removed["repeated-captions"][:2] == [caption, caption]  # a repeated caption loses every copy
    assert removed["repeated-captions"][-1].startswith("The government told")  # a repeated paragraph: first kept
    assert {"photo-credit-label", "photo-credit-parenthesis"} <= set(removed)
    _check_invariants(d, text)


def test_cookie_banner_newsletter_prompt_and_comment_form():
    text = ("We use cookies to improve your experience. Accept all cookies\nManage preferences\n\n"
            "Netherlands restricts exports of chip machines\n\n"
            "The Dutch government said on Friday that chip machine makers will need a licence to export.\n\n"
            "Sign up for our newsletter\n\n"
            "The rules on chip machine exports take effect in September.\n\n"
            "Leave a Reply\n\nYour email address will not be published.\n\nCancel reply")
    d = _parse(text)
    assert d.title == "Netherlands restricts exports of chip machines"
    assert len(d.passages) == 2
    removed = _rules(d, text)
    assert {"cookie-notice", "subscription-prompt", "comment-form"} <= set(removed)
    assert "Cancel reply" in removed["comment-form"]


def test_title_repeated_under_a_label_and_site_name_as_publisher():
    text = (" date 2024-07-09 Gulf News Monitor\nclear\nFree Subscription\nGulf News Monitor\n\n"
            "Creating new perspectives since 2009\n\nGulf News Monitor\n\n"
            "Chinese carmaker signs $1bn factory deal in Turkiye\n\n"
            "July 9, 2024 at 11:35 pm\n\n"
            "A Chinese carmaker has agreed a $1 billion deal to build a car factory in Turkiye, the carmaker said.\n\n"
            "The factory deal was signed in Istanbul.\n\n"
            "Article: Chinese carmaker signs $1bn factory deal in Turkiye")
    d = _parse(text)
    assert d.title == "Chinese carmaker signs $1bn factory deal in Turkiye"
    assert (d.published, d.publisher) == ("2024-07-09", "Gulf News Monitor")
    assert len(d.passages) == 2
    assert _rules(d, text)["title-repeat"] == ["Article: Chinese carmaker signs $1bn factory deal in Turkiye"]


def test_detect_metadata_directly_and_rules_load():
    meta = detect_metadata("Chinese chip firm opens Dresden office\n\nThe chip firm opened an office "
                           "in Dresden on Monday, the chip firm said.", "news_article")
    assert meta.title == "Chinese chip firm opens Dresden office" and meta.title_line == 0
    assert find_date("Updated 12:05 GMT, 4 June 2024", load_metadata_rules().languages)[:2] == ("2024-06-04", "day")
    actions = {r.action for r in load_rules().rules}
    assert {"drop_rest", "drop_before_title", "drop_title_repeat", "drop_repeated"} <= actions


def test_agency_credit_line_is_the_publisher_and_is_removed():
    text = ("Court upholds the ban on two telecom vendors\n\n"
            "AFP, OSLO\n\n"
            "A court on Tuesday upheld the regulator's ban on two Chinese telecom vendors in the 5G tender.\n\n"
            "The vendors said they would study the ruling.")
    d = _parse(text)
    assert d.publisher == "AFP"
    assert _rules(d, text)["metadata-credit-line"] == ["AFP, OSLO"]
    assert all("AFP" not in t for t in _texts(d))
    _check_invariants(d, text)
    # a sentence that starts with an agency and a comma is no credit line
    body = "Reuters, citing two sources, said the vendors would appeal the ruling of the court."
    d = _parse("Vendors to appeal the ruling\n\n" + body)
    assert "metadata-credit-line" not in _rules(d, "Vendors to appeal the ruling\n\n" + body)


@pytest.mark.parametrize("byline, publisher", [
    ("By Jane Doe, Tower Street Technology Editor", "Tower Street"),
    ("By Jane Doe, Mast Weekly Brussels Correspondent", "Mast Weekly"),
    ("By Jane Doe, Senior Reporter", None),  # a role only: no outlet
])
def test_byline_names_the_outlet_before_the_authors_role(byline, publisher):
    text = ("Operators agree to remove two vendors from 5G cores by 2026\n\n"
            "German operators agreed to remove equipment of two Chinese vendors from their 5G core networks "
            "by 2026, the ministry said.\n\n" + byline)
    d = _parse(text)
    assert d.publisher == publisher
    assert byline not in _texts(d)


def test_agency_credit_in_parentheses_before_a_date_label():
    text = ("Home> News\n\nChemical maker opens its new site in the south of China\n\n"
            "(Xinhua) Updated: 2019-11-26\n\n"
            "The chemical maker on Saturday opened its new site in the south of China, with an investment "
            "of up to 10 billion dollars.")
    d = _parse(text)
    assert (d.published, d.publisher) == ("2019-11-26", "Xinhua")
    # a photo credit in parentheses is not a publisher
    d = _parse("Chemical maker opens its new site in the south of China\n\n(Photo by Jane Doe/Xinhua)\n\n"
               "The chemical maker on Saturday opened its new site in the south of China, with an investment "
               "of up to 10 billion dollars.")
    assert d.publisher is None


def test_source_line_without_its_explaining_parenthesis():
    text = ("The Commission is opening an inquiry into wind-turbine suppliers, a spokeswoman told the agency.\n\n"
            "Source: dpa (German press agency)")
    assert _parse(text).publisher == "dpa"


@pytest.mark.parametrize("store_line", [
    " date 2018-12-18 Wednesday, 19 December 2018",  # a masthead date is no site name
    " date 2016-08-10 ATHENS Aug 10 Zorblax Shipping",  # nor is a wire dateline
])
def test_store_line_rest_that_is_a_date_or_a_dateline_is_no_publisher(store_line):
    text = (store_line + "\n\nAgency warns against two telecom vendors\n\n"
            "The national cyber security agency issued a warning against the use of equipment made by two "
            "Chinese telecom vendors, its director said in a statement.")
    assert _parse(text).publisher is None


def test_headline_written_twice_on_the_store_line_and_below_it():
    text = (" date 2023-11-24 Zorblax Batteries JV to build a battery plant in Slovakia\n\n"
            "Zorblax Batteries JV to build a battery plant in Slovakia\n"
            "The prime minister at the signing ceremony. / bne IntelliNews\n\n"
            "The Slovak prime minister signed a memorandum with Zorblax Batteries on a 20 GWh battery plant, "
            "which should employ 1,500 people from 2026.")
    d = _parse(text)
    assert (d.title, d.published) == ("Zorblax Batteries JV to build a battery plant in Slovakia", "2023-11-24")
    assert _texts(d) == [text.split("\n")[-1]] and [s.kind for s in d.sections] == ["article"]
    _check_invariants(d, text)


# --- issue 13, third page set ------------------------------------------------------------

TEASER_PAGE = (
    "Harbour operator sells terminal stake to shipping group\n\n"
    "Listen to the audio version of the article\n\n"
    "A harbour operator agreed on Monday to sell a minority stake in one of its container terminals to a "
    "shipping group, after the government approved the sale with conditions.\n\n"
    "FARMERS BLOCK MOTORWAY IN PROTEST OVER FUEL PRICES AGAIN\n\n"
    "The shipping group will hold less than a quarter of the terminal and gets no say over its strategy, "
    "the harbour operator said.\n\n"
    "What the terminal deal means for the harbour\n\n"
    "The terminal stake sale lets the harbour operator keep the shipping group as a customer for years, "
    "the operator's chief said on Monday.\n\n"
    "{{ related_block }}\n"
)


def test_audio_label_template_placeholder_and_inserted_teaser_headline():
    d = _parse(TEASER_PAGE)
    removed = _rules(d, TEASER_PAGE)
    assert removed["audio-player"] == ["Listen to the audio version of the article"]
    assert removed["template-placeholder"] == ["{{ related_block }}"]
    assert removed["unrelated-headline"] == ["FARMERS BLOCK MOTORWAY IN PROTEST OVER FUEL PRICES AGAIN"]
    # a subheading about the story stays
    assert "What the terminal deal means for the harbour" in [s.title for s in d.sections] + _texts(d)
    _check_invariants(d, TEASER_PAGE)


def test_page_type_label_glued_to_the_date_and_site_name_above_the_headline():
    text = ("Skip to main content\nRegional Trade Observer\nPress release4 March 2025\n\n"
            "Regulator opens review of chip plant purchase\n\n"
            "The competition regulator opened an in-depth review of the purchase of a chip plant by a "
            "foreign investor, the regulator said on Tuesday.\n\n"
            "The review of the chip plant purchase will take up to 90 working days.")
    d = _parse(text)
    assert (d.published, d.published_precision) == ("2025-03-04", "day")
    assert d.title == "Regulator opens review of chip plant purchase"
    assert d.publisher == "Regional Trade Observer"
    assert _rules(d, text)["metadata-date-line"] == ["Press release4 March 2025"]


@pytest.mark.parametrize("above", [
    "Business News",  # a section label
    "Chip Plant Review",  # a kicker the article repeats
    "Jane Doe",  # a person
])
def test_lines_above_the_headline_that_are_no_site_name(above):
    text = (above + "\n\nRegulator opens review of chip plant purchase\n\n"
            "The competition regulator opened an in-depth review of the purchase of a chip plant by a "
            "foreign investor, the regulator said on Tuesday. The chip plant review will take 90 days.")
    assert _parse(text).publisher is None


# --- issue 13, round 2: debris and metadata rules read from page structure ----------------

CAPTION_PAGE = (
    "Port authority blocks sale of crane maker to foreign buyer\n\n"
    "March 3, 2021\n\n"
    "The port authority stopped the sale of a crane maker to a foreign buyer on Wednesday, "
    "citing risks to the supply of spare parts.\n\n"
    "https://sho.rt/x/Ab12\n"
    "Cranes at the container quay\n"
    "Image: Harbour Photo Pool/Jo Smith\n\n"
    "The crane maker employs 300 people and had agreed the sale in January, the authority said.\n\n"
    "Quay workers at dawn ( PORTPRESS / LENA VOSS )\n\n"
    "READ  Ferry operator orders three new vessels\n\n"
    "Jane Roe (Minister for Ports) Pic: Ministry Press Office\n\n"
    "The buyer may appeal the decision within a month, the authority said on Wednesday."
)


def test_short_link_caption_above_a_credit_spaced_credit_and_capital_related_label():
    d = _parse(CAPTION_PAGE)
    removed = _rules(d, CAPTION_PAGE)
    assert removed["url-line"] == ["https://sho.rt/x/Ab12"]
    assert removed["caption-above-credit"] == ["Cranes at the container quay"]
    assert removed["photo-credit-parenthesis"] == ["Quay workers at dawn ( PORTPRESS / LENA VOSS )"]
    assert removed["related-link-caps"] == ["READ  Ferry operator orders three new vessels"]
    assert removed["photo-credit-label"] == ["Image: Harbour Photo Pool/Jo Smith",
                                             "Jane Roe (Minister for Ports) Pic: Ministry Press Office"]
    assert len(d.passages) == 3
    _check_invariants(d, CAPTION_PAGE)


def test_a_short_line_above_a_credit_inside_a_paragraph_stays():
    text = ("Port authority blocks sale of crane maker to foreign buyer\n\n"
            "The port authority stopped the sale of a crane maker to a foreign buyer on Wednesday,\n"
            "citing risks to spare parts\n"
            "Photo: Harbour Photo Pool\n\n"
            "The crane maker employs 300 people and had agreed the sale in January, the authority said.")
    assert "caption-above-credit" not in _rules(_parse(text), text)


def test_republisher_credit_line_is_the_publisher_and_a_headline_may_end_in_a_quoted_word():
    text = (' date 2025-06-02 information fournie par Marchés Hebdo avec Agence Média • 02/06/2025 à 09:15\n\n'
            'Enquête sur un fabricant de grues : le groupe dénonce des mesures "injustes" et "arbitraires" '
            'de la part des autorités "portuaires"\n\n'
            "L'autorité portuaire a ouvert lundi une enquête sur un fabricant de grues étranger, a-t-elle "
            "indiqué dans un communiqué sur le fabricant de grues et le groupe.")
    d = _parse(text)
    assert d.publisher == "Marchés Hebdo"
    assert d.title.startswith("Enquête sur un fabricant de grues")
    assert d.published == "2025-06-02"
    assert "provided-by-line" in _rules(d, text)


def test_provided_by_inside_a_sentence_is_no_publisher():
    text = ("Port authority buys cranes\n\nMarch 3, 2021\n\n"
            "The new cranes were provided by Kranwerk Nord and arrived on Monday, the port authority said.")
    assert _parse(text).publisher is None


def test_kicker_above_the_headline_and_date_line_with_section_slug():
    text = ("Kranwerk in Bremen\n\n"
            "Hafenbetreiber verkauft Kranwerk an ausländischen Investor\n\n"
            "16 Feb 2024 / eu Print\n\n"
            "Der Hafenbetreiber hat sein Kranwerk in Bremen an einen ausländischen Investor verkauft, "
            "teilte der Hafenbetreiber am Freitag mit. Das Kranwerk beschäftigt 300 Menschen.")
    d = _parse(text)
    assert d.title == "Hafenbetreiber verkauft Kranwerk an ausländischen Investor"
    assert (d.published, d.published_precision) == ("2024-02-16", "day")


def test_a_long_headline_with_a_standfirst_below_keeps_the_headline():
    text = ("Port authority blocks the sale of a crane maker to a foreign buyer over spare parts\n\n"
            "The buyer had offered a premium for the crane maker and its spare parts business in the port\n\n"
            "The port authority stopped the sale of a crane maker to a foreign buyer on Wednesday, citing risks "
            "to the supply of spare parts for the port.")
    assert _parse(text).title.startswith("Port authority blocks the sale")


def test_caption_labels_with_a_comma_and_bylines_in_other_languages():
    text = ("Port authority blocks sale of crane maker\n\n"
            "Di Marta Bianchi\n\n"
            "The port authority stopped the sale of a crane maker to a foreign buyer on Wednesday, "
            "citing risks to the supply of spare parts.\n\n"
            "Image source, Harbour Photo Pool\n"
            "Image caption, Cranes at the container quay\n\n"
            "The crane maker employs 300 people, the authority said.")
    removed = _rules(_parse(text), text)
    assert removed["byline"] == ["Di Marta Bianchi"]
    assert removed["caption-label-comma"] == ["Image source, Harbour Photo Pool", "Image caption, Cranes at the container quay"]


# --- round 3: page structure read by shape, not by the words of one site -------------

_MENU_PAGE = (
    "Open Navigation\n"
    "  • Harbours\n  • Shipping\n  • Cranes\n  • Logistics\n  • Opinion\n  • Events\n"
    "  • Jobs\n  • Podcasts\n  • Awards\n  • Newsletters\n  • Archive\n  • Contact\n  • About us\n"
    "Editor's Choice\n\n"
    "Dockworkers test a new battery tug in Rotterdam\n\n"
    "April 2, 2031\n\n"
    "Quay Weekly\n"
    "Monday, April 7\n"
    "  • Harbours\n  • Shipping\n  • Cranes\n"
    "Quay Weekly\n"
    "Start > Cranes > Port authority blocks sale of crane maker to foreign buyer\n\n"
    "Port authority blocks sale of crane maker to foreign buyer\n\n"
    "March 3, 2025\n\n"
    "The port authority stopped the sale of a crane maker to a foreign buyer on Wednesday, "
    "citing risks to the supply of spare parts for the port.\n"
)


def test_a_block_of_short_lines_is_a_menu_whatever_its_words():
    text = _MENU_PAGE
    d = _parse(text)
    _check_invariants(d, text)
    menu = _rules(d, text)["menu-block"]
    assert "  • Podcasts" in menu and "Open Navigation" in menu
    # the page's text is no such block: the article's paragraph is kept
    assert any(p.startswith("The port authority stopped") for p in _texts(d))


def test_a_long_menu_does_not_push_the_headline_out_of_the_top():
    d = _parse(_MENU_PAGE)
    # a site path ending in the headline is not the headline
    assert d.title == "Port authority blocks sale of crane maker to foreign buyer"
    # the teaser's date above stands further from the headline than the page's own
    assert (d.published, d.published_precision) == ("2025-03-03", "day")
    # the site name repeated inside the menus is the publisher; a repeated date is no name
    assert d.publisher == "Quay Weekly"


def test_short_lines_in_a_row_that_end_like_sentences_are_no_menu():
    text = ("Crane maker sold to a port fund\n\n"
            "The fund paid cash.\nIt keeps the staff.\nThe yard stays open.\nThe brand stays too.\n")
    d = _parse(text)
    assert "menu-block" not in _rules(d, text)


def test_a_date_after_a_two_word_label_and_stated_twice_on_one_line():
    text = ("Port authority blocks sale of crane maker\n\n"
            "Harbour Office\n"
            "Release date 4.3.2025 09.15 | Released in French on 4.3.2025 at 09.20\n\n"
            "The port authority stopped the sale of a crane maker to a foreign buyer on Wednesday, "
            "citing risks to the supply of spare parts.\n")
    d = _parse(text)
    assert (d.published, d.published_precision) == ("2025-03-04", "day")  # day first: no 3 April
    # a line of dates, labels and date words only is metadata, not a passage
    assert not any("Release date" in p for p in _texts(d))


def test_a_date_in_a_byline_and_a_byline_written_by_a_newsroom():
    text = ("by Harbour Review Team , Thursday, 6 March 2025 08:40:00 AM\n\n"
            "Port authority blocks sale of crane maker\n\n"
            "The port authority stopped the sale of a crane maker to a foreign buyer on Wednesday, "
            "citing risks to the supply of spare parts.\n")
    d = _parse(text)
    assert (d.published, d.published_precision) == ("2025-03-06", "day")
    assert d.publisher == "Harbour Review"
    assert _rules(d, text)["byline"] == ["by Harbour Review Team , Thursday, 6 March 2025 08:40:00 AM"]


def test_a_date_inside_a_body_sentence_under_a_label_word_is_no_page_date():
    text = ("Port authority blocks sale of crane maker\n\n"
            "Officials published 12 May 2024 figures that showed the crane maker lost money, "
            "and the port authority stopped the sale to a foreign buyer on Wednesday.\n")
    assert _parse(text).published is None


def test_caption_credits_and_a_byline_without_by_beside_the_date_line():
    text = ("Port authority blocks sale of crane maker\n\n"
            "Facebook Twitter Tumblr Email\n\n"
            "March 3, 2025\n"
            "Laura Keller\n\n"
            "The port authority stopped the sale of a crane maker to a foreign buyer on Wednesday, "
            "citing risks to the supply of spare parts.\n\n"
            "A crane at the container quay in Bremen. The yard could lose its buyer. Credit: Harbour Archive.\n\n"
            "Dock workers at the quay during the visit, MARIA LOPEZ (AGENCY)\n\n"
            "The crane maker employs 300 people, the authority said.\n")
    d = _parse(text)
    _check_invariants(d, text)
    removed = _rules(d, text)
    assert removed["share-bar"] == ["Facebook Twitter Tumblr Email"]
    assert removed["metadata-byline-name"] == ["Laura Keller"]
    assert removed["photo-credit-label"] == ["A crane at the container quay in Bremen. The yard could lose its buyer. "
                                             "Credit: Harbour Archive."]
    assert removed["photo-credit-parenthesis"] == ["Dock workers at the quay during the visit, MARIA LOPEZ (AGENCY)"]
    assert _texts(d)[-1] == "The crane maker employs 300 people, the authority said."


def test_a_name_line_away_from_any_date_line_is_kept():
    text = ("Port authority blocks sale of crane maker\n\n"
            "The port authority stopped the sale of a crane maker to a foreign buyer on Wednesday.\n\n"
            "Laura Keller\n\n"
            "The crane maker employs 300 people, the authority said.\n")
    assert "metadata-byline-name" not in _rules(_parse(text), text)
