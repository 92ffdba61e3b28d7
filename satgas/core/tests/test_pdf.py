import io

import pytest
from pypdf import PdfReader

from satgas.core.pdf import PDF_BASE_URL, FetchRefused, StaticFilesFetcher, html_to_pdf


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:8000/admin/",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/logo.png",
        f"{PDF_BASE_URL}media/private.pdf",
        f"{PDF_BASE_URL}static/../../settings.py",
        f"{PDF_BASE_URL}static/css/does-not-exist.css",
    ],
)
def test_the_pdf_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(FetchRefused):
        StaticFilesFetcher().fetch(url)


def test_the_pdf_fetcher_serves_a_static_file():
    response = StaticFilesFetcher().fetch(f"{PDF_BASE_URL}static/css/pdf.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_render_pdf_ignores_forbidden_resources(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    pdf = html_to_pdf(
        f'<html><head><link rel="stylesheet" href="file://{secret}"></head>'
        f'<body><p>Halo</p><img src="file://{secret}"><img src="http://127.0.0.1:9/x.png">'
        f'<iframe src="file://{secret}"></iframe><object data="file://{secret}"></object></body></html>'
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Halo" in text and "TOP-SECRET" not in text
