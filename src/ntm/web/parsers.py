"""The API's JSON parser: DRF's, answering 400 (not a server error) to two bodies Python's json
module accepts or chokes on:
- a number beyond a float (1e400 reads as infinity, which a related-object id or an integer
  field then fails to convert: OverflowError);
- a body nested too deep (a few hundred kilobytes of "[": RecursionError)."""

import codecs
import math

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"Out of range float value: {text[:40]}")
    return value


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            decoded_stream = codecs.getreader(encoding)(stream)
            parse_constant = json.strict_constant if self.strict else None
            return json.load(
                decoded_stream, parse_constant=parse_constant, parse_float=_finite_float
            )
        except RecursionError as exc:
            raise ParseError(_("Dữ liệu JSON lồng nhau quá nhiều tầng.")) from exc
        except ValueError as exc:
            raise ParseError(_("Dữ liệu JSON không hợp lệ: %(reason)s") % {"reason": exc}) from exc
