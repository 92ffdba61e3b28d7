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


def test_inline_png_images_are_embedded_but_limited():
    import base64

    png = base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4c50000000049454e44ae426082"
        )
    ).decode()
    pdf = html_to_pdf(f'<p>Tanda tangan</p><img src="data:image/png;base64,{png}" style="width:20mm">')
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1
    with pytest.raises(FetchRefused):
        StaticFilesFetcher().fetch("data:image/png;base64," + "A" * 400_000)
    with pytest.raises(FetchRefused):
        StaticFilesFetcher().fetch("data:text/html;base64,PHNjcmlwdD4=")
