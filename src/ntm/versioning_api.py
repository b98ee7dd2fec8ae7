"""Optimistic locking in the HTTP API (see ntm.versioning): the `version` field, 409 on a stale
version, 400 when an update does not send one."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from ntm.versioning import STALE_CODE, StaleVersionError


def version_field() -> serializers.IntegerField:
    """The `version` of a record in the API: returned on read; on update the client sends back
    the version it read (required), on create it is ignored."""
    return serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The version read; required to update (PUT/PATCH), 409 when it is stale.",
    )


def require_version(data) -> int:
    """The `version` an update sends (400 in Vietnamese when it is missing or not a number)."""
    raw = data.get("version") if hasattr(data, "get") else None
    if raw is None or raw == "":
        raise ValidationError(
            {
                "version": [
                    _(
                        "Cần gửi “version” (phiên bản đã đọc) khi sửa, để không ghi đè thay đổi của người khác."
                    )
                ]
            }
        )
    try:
        value = int(str(raw))
    except ValueError as exc:
        raise ValidationError({"version": [_("“version” phải là số nguyên.")]}) from exc
    if value < 0:
        raise ValidationError({"version": [_("“version” phải là số nguyên.")]})
    return value


def conflict(exc: Exception) -> Response:
    return Response({"detail": str(exc), "code": STALE_CODE}, status=status.HTTP_409_CONFLICT)


STALE_RESPONSE = OpenApiResponse(
    response=inline_serializer(
        "StaleVersion",
        {"detail": serializers.CharField(), "code": serializers.CharField(default=STALE_CODE)},
    ),
    description="Stale version: someone saved the record since the client read it. Read it "
    "again and resend with the new `version`.",
)
MISSING_VERSION_RESPONSE = OpenApiResponse(
    description="Invalid data, or `version` missing on update."
)


def versioned_schema(serializer_class):
    """OpenAPI for a viewset whose updates are version-checked (200, 400, 409)."""
    responses = {200: serializer_class, 400: MISSING_VERSION_RESPONSE, 409: STALE_RESPONSE}
    return extend_schema_view(
        update=extend_schema(responses=responses),
        partial_update=extend_schema(responses=responses),
    )


class VersionedUpdateMixin:
    """For a ModelViewSet: PUT/PATCH must send `version`; a stale one answers 409.
    `perform_update` calls `self.sent_version()` once it has checked the caller may write the
    record (so that a reader still gets 403, and an unseen record 404, before a 400)."""

    def update(self, request, *args, **kwargs):
        try:
            return super().update(request, *args, **kwargs)
        except StaleVersionError as exc:
            return conflict(exc)

    def sent_version(self) -> int:
        return require_version(self.request.data)
