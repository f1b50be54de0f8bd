"""The review desk's texts, in the project's catalogs (``N_`` marks them for extraction).

Pages and the desk's script get them translated per request, in the language the reviewer
chose (``?ui=my``, remembered in a cookie), else the browser's (Accept-Language), else the
language the server was started with.
"""

from __future__ import annotations

from pipeline.i18n import translations


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated when a page is made."""
    return message


TEXTS = {
    "title": N_("Review desk"),
    "documents": N_("Documents"),
    "document": N_("Document"),
    "version": N_("version"),
    "target": N_("Target"),
    "flagged": N_("flagged"),
    "pseudo": N_("pseudo"),
    "open": N_("Open"),
    "reviewer": N_("Reviewer"),
    "reviewer_needed": N_("Type your name as reviewer first."),
    "source": N_("Source"),
    "translation": N_("Translation"),
    "kind": N_("Kind"),
    "state": N_("State"),
    "origin": N_("Origin"),
    "qa": N_("QA"),
    "no_flags": N_("No QA flags."),
    "matches": N_("Memory matches"),
    "terms": N_("Glossary"),
    "machine": N_("Machine output"),
    "history": N_("History"),
    "revert": N_("Revert to this"),
    "save_reviewed": N_("Save as reviewed (Ctrl+Enter)"),
    "save_final": N_("Mark final (Ctrl+Shift+Enter)"),
    "copy_source": N_("Copy source (Alt+S)"),
    "copy_match": N_("Copy best match (Alt+M)"),
    "saved": N_("Saved."),
    "conflict": N_("Someone else saved this segment meanwhile. Both texts are kept:"),
    "theirs": N_("Saved meanwhile"),
    "yours": N_("Yours"),
    "keep_theirs": N_("Keep theirs"),
    "use_mine": N_("Save mine over it"),
    "filter": N_("Show"),
    "filter_all": N_("all segments"),
    "filter_open": N_("not yet reviewed"),
    "filter_flagged": N_("flagged by QA"),
    "filter_pseudo": N_("pseudo-translations"),
    "filter_changed": N_("changed since the last export"),
    "order": N_("Order"),
    "order_article": N_("article order"),
    "order_confidence": N_("least confident first"),
    "apply": N_("Apply"),
    "pseudo_warning": N_("PSEUDO-TRANSLATION: not a translation"),
    "shortcuts": N_(
        "Keys: Ctrl+Enter saves as reviewed and goes to the next open segment; "
        "Ctrl+Shift+Enter marks final; Alt+Down and Alt+Up move; Alt+S copies the source; "
        "Alt+M copies the best match."
    ),
    "chips": N_("Inline codes are chips: drag them to move them; they cannot be deleted."),
    "no_segments": N_("No segment matches this filter."),
    "denied": N_(
        "This review desk needs its token: open the address with ?token= that "
        "'pipeline review serve' printed."
    ),
    "language": N_("Language"),
    "none": N_("none"),
    "error": N_("Could not save"),
}


def texts(lang: str | None) -> dict[str, str]:
    """Return the desk's texts in a language (English when it has no catalog)."""
    catalog = translations(lang)
    if catalog is None:
        return dict(TEXTS)
    return {key: catalog.gettext(message) for key, message in TEXTS.items()}
