"""Uploaded files the pages show inline: OCOP product photos, at the URL `photo.url` gives
(MEDIA_URL + "ocop/..."). Nothing else under MEDIA_ROOT is served by URL: evidence files go
through their assessment's download view, with its scope check, as attachments.

A photo is public while its product holds a valid certificate (it is on the public catalogue);
otherwise only users whose scope holds the product's commune see it. Served inline as the image
type its extension says (the upload form made Pillow open it), with nosniff and a CSP that lets
nothing run even if a browser were tricked into rendering it as a document.
"""

import datetime

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from ntm.accounts.scope import scope_for
from ntm.ocop.models import Product
from ntm.ocop.selectors import public_products

PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@require_safe
def ocop_photo(request, name: str):
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in PHOTO_TYPES or ".." in name.split("/"):
        raise Http404
    product = Product.objects.filter(photo=f"ocop/{name}").select_related("unit").first()
    if product is None:
        raise Http404
    public = public_products(day=datetime.date.today()).filter(product=product).exists()
    if not public and not scope_for(request.user).contains(product.unit):
        raise Http404
    try:
        handle = product.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=PHOTO_TYPES[ext])
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=300" if public else "private, max-age=300"
    return response
