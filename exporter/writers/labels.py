"""The few words exporter itself puts on a page, per language (falls back to English)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {"notes": "Notes", "contents": "Contents", "landmarks": "Landmarks", "pages": "Pages",
           "by": "By", "interview_by": "Interview by", "with": "With", "edited_by": "Edited by",
           "translated_by": "Translated by", "photos_by": "Photographs by", "source": "Source",
           "back": "Back to text", "start": "Start of content", "cover": "Cover", "and": "and",
           "licence": "Licence", "published": "Published", "note": "Note", "keywords": "Keywords"},
    "fr": {"notes": "Notes", "contents": "Sommaire", "landmarks": "Repères", "pages": "Pages",
           "by": "Par", "interview_by": "Propos recueillis par", "with": "Avec", "edited_by": "Sous la direction de",
           "translated_by": "Traduit par", "photos_by": "Photographies de", "source": "Source",
           "back": "Retour au texte", "start": "Début du texte", "cover": "Couverture", "and": "et",
           "licence": "Licence", "published": "Publié", "note": "Note", "keywords": "Mots-clés"},
    "de": {"notes": "Anmerkungen", "contents": "Inhalt", "landmarks": "Orientierung", "pages": "Seiten",
           "by": "Von", "interview_by": "Interview:", "with": "Mit", "edited_by": "Herausgegeben von",
           "translated_by": "Übersetzt von", "photos_by": "Fotos:", "source": "Quelle",
           "back": "Zurück zum Text", "start": "Textanfang", "cover": "Umschlag", "and": "und",
           "licence": "Lizenz", "published": "Veröffentlicht", "note": "Anmerkung", "keywords": "Schlagwörter"},
    "es": {"notes": "Notas", "contents": "Índice", "landmarks": "Puntos de referencia", "pages": "Páginas",
           "by": "Por", "interview_by": "Entrevista de", "with": "Con", "edited_by": "Edición de",
           "translated_by": "Traducción de", "photos_by": "Fotografías de", "source": "Fuente",
           "back": "Volver al texto", "start": "Inicio del texto", "cover": "Cubierta", "and": "y",
           "licence": "Licencia", "published": "Publicado", "note": "Nota", "keywords": "Palabras clave"},
    "ar": {"notes": "ملاحظات", "contents": "المحتويات", "landmarks": "معالم", "pages": "الصفحات",
           "by": "بقلم", "interview_by": "حوار", "with": "مع", "edited_by": "تحرير",
           "translated_by": "ترجمة", "photos_by": "تصوير", "source": "المصدر",
           "back": "العودة إلى النص", "start": "بداية النص", "cover": "الغلاف", "and": "و",
           "licence": "الترخيص", "published": "نُشر", "note": "ملاحظة", "keywords": "الكلمات المفتاحية"},
    "fa": {"notes": "یادداشت‌ها", "contents": "فهرست", "landmarks": "نشانه‌ها", "pages": "صفحه‌ها",
           "by": "نوشتهٔ", "interview_by": "گفت‌وگو:", "with": "با", "edited_by": "ویراستار",
           "translated_by": "ترجمهٔ", "photos_by": "عکس‌ها:", "source": "منبع",
           "back": "بازگشت به متن", "start": "آغاز متن", "cover": "جلد", "and": "و",
           "licence": "مجوز", "published": "منتشرشده", "note": "یادداشت", "keywords": "کلیدواژه‌ها"},
    "he": {"notes": "הערות", "contents": "תוכן העניינים", "landmarks": "ציוני דרך", "pages": "עמודים",
           "by": "מאת", "interview_by": "ראיון:", "with": "עם", "edited_by": "עריכה",
           "translated_by": "תרגום", "photos_by": "צילום", "source": "מקור",
           "back": "חזרה לטקסט", "start": "תחילת הטקסט", "cover": "כריכה", "and": "ו",
           "licence": "רישיון", "published": "פורסם", "note": "הערה", "keywords": "מילות מפתח"},
    "ja": {"notes": "注", "contents": "目次", "landmarks": "ランドマーク", "pages": "ページ",
           "by": "著", "interview_by": "聞き手", "with": "話し手", "edited_by": "編",
           "translated_by": "訳", "photos_by": "写真", "source": "出典",
           "back": "本文へ戻る", "start": "本文の始まり", "cover": "表紙", "and": "・",
           "licence": "ライセンス", "published": "公開", "note": "注", "keywords": "キーワード"},
}


def labels(language: str) -> dict[str, str]:
    primary = language.split("-")[0].lower()
    return {**LABELS["en"], **LABELS.get(primary, {})}


#: words of a book's own matter (exporter.book: title page, imprint, contents, parts)
BOOK_LABELS: dict[str, dict[str, str]] = {
    "en": {"title_page": "Title page", "imprint": "Imprint", "introduction": "Introduction", "part": "Part",
           "first_published": "First published", "in": "in", "doi": "DOI", "credits": "Sources of the texts",
           "identifier": "Identifier", "published_by": "Published by", "chapter": "Chapter"},
    "fr": {"title_page": "Page de titre", "imprint": "Mentions légales", "introduction": "Introduction",
           "part": "Partie", "first_published": "Première publication", "in": "dans", "doi": "DOI",
           "credits": "Provenance des textes", "identifier": "Identifiant", "published_by": "Publié par",
           "chapter": "Chapitre"},
    "de": {"title_page": "Titelseite", "imprint": "Impressum", "introduction": "Einleitung", "part": "Teil",
           "first_published": "Erstveröffentlichung", "in": "in", "doi": "DOI", "credits": "Textnachweise",
           "identifier": "Kennung", "published_by": "Verlag", "chapter": "Kapitel"},
    "es": {"title_page": "Portada", "imprint": "Créditos", "introduction": "Introducción", "part": "Parte",
           "first_published": "Publicado por primera vez", "in": "en", "doi": "DOI",
           "credits": "Procedencia de los textos", "identifier": "Identificador", "published_by": "Publicado por",
           "chapter": "Capítulo"},
}


def book_labels(language: str) -> dict[str, str]:
    """:func:`labels` plus the words of a book's own matter."""
    primary = language.split("-")[0].lower()
    return {**labels(language), **BOOK_LABELS["en"], **BOOK_LABELS.get(primary, {})}
