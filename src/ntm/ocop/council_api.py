"""Council scoring in the API (scoped reads; writes through `council`):

- GET /api/v1/ocop/rounds/ and /{id}/: rounds with their council and products (mean, band, stars,
  caps, proposal); POST /{id}/council/ {members: [{user, role}]}, POST /{id}/products/
  {products: [ids]}, POST /{id}/close/ (the chair), GET /{id}/proposals/.
- GET /api/v1/ocop/product-sheets/{id}/: a sheet with its items and option ids.
- GET/PUT /api/v1/ocop/evaluations/{id}/sheet/: the caller's own score sheet for the product
  {choices: {item code: option id}, note, version}; 409 on a stale version.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from ntm import versioning, versioning_api
from ntm.accounts.scope import scope_for
from ntm.ocop import council, selectors
from ntm.ocop.models import (
    CouncilRole,
    Evaluation,
    EvaluationRound,
    MemberSheet,
    ProductSheet,
    SheetItem,
)
from ntm.ocop.services import OcopError


def _call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except versioning.StaleVersionError:
        raise
    except OcopError as exc:
        raise ValidationError({exc.field or "detail": [str(exc)]}) from exc
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc


class EvaluationRowSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    sheet_number = serializers.IntegerField(source="product_sheet.number", default=None)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "product",
            "product_name",
            "product_sheet",
            "sheet_number",
            "total",
            "band_stars",
            "stars",
            "caps",
            "disqualified",
            "proposal",
        ]


class RoundSerializer(serializers.ModelSerializer):
    council = serializers.SerializerMethodField()
    evaluations = EvaluationRowSerializer(many=True, read_only=True)

    class Meta:
        model = EvaluationRound
        fields = ["id", "unit", "year", "number", "held_on", "status", "council", "evaluations"]

    def get_council(self, obj) -> list[dict]:
        return [
            {"user": m.user_id, "username": m.user.username, "role": m.role}
            for m in obj.council.all()
        ]


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    """OCOP evaluation rounds in the caller's scope, with their council and products."""

    serializer_class = RoundSerializer
    filterset_fields = ["year", "status"]

    def get_queryset(self):
        return (
            selectors.rounds_visible(scope_for(self.request.user))
            .prefetch_related(
                "council__user",
                Prefetch(
                    "evaluations",
                    queryset=Evaluation.objects.select_related("product", "product_sheet"),
                ),
            )
            .order_by("-year", "-number")
        )

    @extend_schema(
        request=inline_serializer(
            "CouncilSet",
            {
                "members": serializers.ListField(
                    child=inline_serializer(
                        "CouncilSetMember",
                        {
                            "user": serializers.IntegerField(),
                            "role": serializers.ChoiceField(choices=CouncilRole.choices),
                        },
                    )
                )
            },
        ),
        responses=RoundSerializer,
    )
    @action(detail=True, methods=["post"])
    def council(self, request, pk=None):
        rnd = self.get_object()
        if not scope_for(request.user).can_write:  # read-only users: 403 before any validation
            raise PermissionDenied(_("Bạn chỉ có quyền xem."))
        raw = request.data.get("members") if hasattr(request.data, "get") else None
        if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
            raise ValidationError({"members": [_("Cần danh sách {user, role}.")]})
        users = get_user_model().objects.in_bulk(
            [m.get("user") for m in raw if isinstance(m.get("user"), int)]
        )
        members = []
        for m in raw:
            user = users.get(m.get("user")) if isinstance(m.get("user"), int) else None
            if user is None or not user.is_active:
                raise ValidationError(
                    {"members": [_("Người dùng %(u)s không có.") % {"u": m.get("user")}]}
                )
            members.append((user, m.get("role")))
        _call(council.council_set, user=request.user, round=rnd, members=members)
        return Response(RoundSerializer(self.get_queryset().get(pk=rnd.pk)).data)

    @extend_schema(
        request=inline_serializer(
            "RoundProducts", {"products": serializers.ListField(child=serializers.IntegerField())}
        ),
        responses=RoundSerializer,
    )
    @action(detail=True, methods=["post"])
    def products(self, request, pk=None):
        rnd = self.get_object()
        if not scope_for(request.user).can_write:  # read-only users: 403 before any validation
            raise PermissionDenied(_("Bạn chỉ có quyền xem."))
        ids = request.data.get("products") if hasattr(request.data, "get") else None
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise ValidationError({"products": [_("Cần danh sách mã sản phẩm.")]})
        found = selectors.products_visible(scope_for(request.user)).in_bulk(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationError(
                {"products": [_("Sản phẩm %(p)s không có hoặc ngoài phạm vi.") % {"p": missing}]}
            )
        _call(
            council.round_products_add,
            user=request.user,
            round=rnd,
            products=[found[i] for i in ids],
        )
        return Response(RoundSerializer(self.get_queryset().get(pk=rnd.pk)).data)

    @extend_schema(request=None, responses=EvaluationRowSerializer(many=True))
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        rnd = self.get_object()
        _call(council.round_close, user=request.user, round=rnd)
        return Response(EvaluationRowSerializer(selectors.round_proposals(rnd), many=True).data)

    @extend_schema(responses=EvaluationRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def proposals(self, request, pk=None):
        rnd = self.get_object()
        return Response(EvaluationRowSerializer(selectors.round_proposals(rnd), many=True).data)


class ProductSheetSerializer(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()

    class Meta:
        model = ProductSheet
        fields = ["id", "number", "name", "classification", "disqualify_if", "items"]

    def get_items(self, obj) -> list[dict]:
        return [
            {
                "code": i.code,
                "part": i.part,
                "kind": i.kind,
                "scored": i.scored,
                "name": i.name,
                "max_points": float(i.max_points),
                "options": [
                    {
                        "id": o.pk,
                        "label": o.label,
                        "points": float(o.points),
                        "min_star": o.min_star,
                        "blocked": o.blocked,
                    }
                    for o in i.options.all()
                ],
            }
            for i in obj.items.all()
        ]


class ProductSheetViewSet(viewsets.ReadOnlyModelViewSet):
    """The product scoring sheets (public legal data, read by any signed-in user)."""

    serializer_class = ProductSheetSerializer
    filterset_fields = ["scoring_set", "number", "classification"]

    def get_queryset(self):
        items = SheetItem.objects.prefetch_related("options").order_by("order")
        return ProductSheet.objects.prefetch_related(Prefetch("items", queryset=items)).order_by(
            "scoring_set", "number"
        )


class MemberSheetSerializer(serializers.Serializer):
    choices = serializers.DictField(child=serializers.IntegerField(allow_null=True))
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    version = serializers.IntegerField(required=False, min_value=0)
    total = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)
    complete = serializers.BooleanField(read_only=True)
    member = serializers.BooleanField(read_only=True)


def member_sheet_data(sheet: MemberSheet | None, *, member: bool = True) -> dict:
    if sheet is None:
        return {
            "choices": {},
            "note": "",
            "version": 0,
            "total": "0.00",
            "complete": False,
            "member": member,
        }
    return {
        "member": True,
        "choices": {c.item.code: c.option_id for c in sheet.choices.select_related("item")},
        "note": sheet.note,
        "version": sheet.version,
        "total": f"{sheet.total:.2f}",
        "complete": sheet.complete,
    }


class MemberSheetMixin:
    """`/evaluations/{id}/sheet/` on the evaluations viewset."""

    @extend_schema(request=MemberSheetSerializer, responses=MemberSheetSerializer)
    @action(detail=True, methods=["get", "put"], url_path="sheet")
    def sheet(self, request, pk=None):
        evaluation = self.get_object()
        if request.method == "GET":  # a reader who is not on the council has no sheet
            member = evaluation.round.council.filter(user=request.user).first()
            current = MemberSheet.objects.filter(evaluation=evaluation, member=member).first()
            return Response(member_sheet_data(current, member=member is not None))
        _call(council.member_of, user=request.user, rnd=evaluation.round)
        version = versioning_api.require_version(request.data)
        data = MemberSheetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            saved = _call(
                council.member_sheet_save,
                user=request.user,
                evaluation=evaluation,
                choices=data.validated_data["choices"],
                note=data.validated_data.get("note"),
                version=version,
            )
        except versioning.StaleVersionError as exc:
            return versioning_api.conflict(exc)
        return Response(member_sheet_data(saved))
