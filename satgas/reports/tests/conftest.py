import hashlib
import json

import pytest


@pytest.fixture
def fast_pdf(monkeypatch):
    """A stand-in for WeasyPrint where the PDF's content is not under test (permission matrices,
    delivery): distinct bytes per text and snapshot, a fraction of the time."""
    from satgas.reports import documents

    def render(**kwargs):
        digest = hashlib.sha256(json.dumps(kwargs, sort_keys=True, default=str).encode()).hexdigest()
        return b"%PDF-1.4\n% satgas test " + digest.encode() + b"\n%%EOF\n"

    monkeypatch.setattr(documents, "render_letter_pdf", render)
    return render
