"""OCOP in the API: /api/v1/ocop/subjects|products|evaluations|certificates/ (scoped; writes
through `services`) and /api/v1/public/ocop/products/ (no login: products holding a valid
certificate today, no personal data)."""

import datetime

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny

from ntm import versioning, versioning_api
from ntm.accounts.scope import scope_for
from ntm.lib.params import int_param
from ntm.ocop import rules, selectors, services
from ntm.ocop.council_api import MemberSheetMixin
from ntm.ocop.models import Certificate, Evaluation, Product, Subject, SubjectKind
from ntm.ocop.services import OcopError
from ntm.units.models import Unit


def _call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except versioning.StaleVersionError:
        raise  # 409, by VersionedUpdateMixin
    except OcopError as exc:
        raise ValidationError({exc.field or "detail": [str(exc)]}) from exc
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc


def _unit_in_scope(request, unit: Unit) -> Unit:
    if not scope_for(request.user).contains(unit):
        raise ValidationError({"unit": [_("Đơn vị không có hoặc ngoài phạm vi của bạn.")]})
    return unit


class SubjectSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    version = versioning_api.version_field()

    class Meta:
        model = Subject
        fields = [
            "id",
            "kind",
            "name",
            "tax_code",
            "representative",
            "unit",
            "unit_code",
            "address",
            "phone",
            "email",
            "version",
        ]
        validators = []
        extra_kwargs = {"unit": {"queryset": Unit.objects.all()}}


@versioning_api.versioned_schema(SubjectSerializer)
class SubjectViewSet(versioning_api.VersionedUpdateMixin, viewsets.ModelViewSet):
    """OCOP subjects in the caller's scope. A change (PATCH) sends the `version` it read; 409
    when someone saved the subject since."""

    serializer_class = SubjectSerializer
    filterset_fields = ["kind", "unit"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.subjects_visible(scope_for(self.request.user)).order_by("name", "pk")

    def _save(self, serializer, instance=None):
        data = {
            **(
                {
                    f: getattr(instance, f)
                    for f in SubjectSerializer.Meta.fields[1:]
                    if f not in ("unit_code", "version")
                }
                if instance
                else {}
            ),
            **serializer.validated_data,
        }
        if instance is not None and not services.can_write_products(
            self.request.user, instance.unit
        ):
            raise PermissionDenied(_("Bạn không có quyền sửa dữ liệu OCOP của đơn vị này."))
        data["version"] = self.sent_version() if instance is not None else None
        _unit_in_scope(self.request, data["unit"])
        serializer.instance = _call(
            services.subject_save, user=self.request.user, subject=instance, **data
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class ProductSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    group = serializers.ChoiceField(choices=rules.group_choices())
    version = versioning_api.version_field()

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "subject",
            "group",
            "subgroup",
            "unit",
            "unit_code",
            "description",
            "traceability_code",
            "stage",
            "photo",
            "version",
        ]
        read_only_fields = ["photo"]
        validators = []
        extra_kwargs = {
            "unit": {"queryset": Unit.objects.all()},
            "subject": {"queryset": Subject.objects.all()},
        }


@versioning_api.versioned_schema(ProductSerializer)
class ProductViewSet(versioning_api.VersionedUpdateMixin, viewsets.ModelViewSet):
    """OCOP products in the caller's scope (by the commune of production). A change (PATCH)
    sends the `version` it read; 409 when someone saved the product since."""

    serializer_class = ProductSerializer
    filterset_fields = ["group", "stage", "subject", "unit"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.products_visible(scope_for(self.request.user)).order_by("name", "pk")

    def _save(self, serializer, instance=None):
        fields = (
            "name",
            "subject",
            "group",
            "subgroup",
            "unit",
            "description",
            "traceability_code",
            "stage",
        )
        data = {
            **({f: getattr(instance, f) for f in fields} if instance else {}),
            **serializer.validated_data,
        }
        if instance is not None and not services.can_write_products(
            self.request.user, instance.unit
        ):
            raise PermissionDenied(_("Bạn không có quyền sửa dữ liệu OCOP của đơn vị này."))
        data["version"] = self.sent_version() if instance is not None else None
        _unit_in_scope(self.request, data["unit"])
        if not scope_for(self.request.user).contains(data["subject"].unit):
            raise ValidationError({"subject": [_("Chủ thể ngoài phạm vi của bạn.")]})
        serializer.instance = _call(
            services.product_save, user=self.request.user, product=instance, **data
        )

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class EvaluationSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="round.year", read_only=True)
    round_number = serializers.IntegerField(source="round.number", read_only=True)
    held_on = serializers.DateField(source="round.held_on", read_only=True)
    sheet = serializers.CharField(source="sheet.code", read_only=True)
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "round",
            "year",
            "round_number",
            "held_on",
            "product",
            "sheet",
            "scores",
            "total",
            "stars",
            "proposal",
            "version",
        ]

    def get_scores(self, obj) -> dict[str, float]:
        return {s.line.code: float(s.points) for s in obj.scores.all()}


class EvaluationViewSet(MemberSheetMixin, viewsets.ReadOnlyModelViewSet):
    """Evaluations of products in the caller's scope (scores are entered on the round page, by
    Excel import, or by the council members on their own score sheets: `/{id}/sheet/`)."""

    serializer_class = EvaluationSerializer
    filterset_fields = ["product", "stars"]

    def get_queryset(self):
        return (
            selectors.evaluations_visible(scope_for(self.request.user))
            .prefetch_related("scores__line")
            .order_by("-round__held_on", "pk")
        )


class CertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Certificate
        fields = [
            "id",
            "product",
            "evaluation",
            "number",
            "issued_on",
            "issuer",
            "stars",
            "valid_to",
            "outcome",
            "previous",
        ]
        read_only_fields = ["valid_to", "outcome", "previous"]
        validators = []
        extra_kwargs = {
            "product": {"queryset": Product.objects.all()},
            "evaluation": {"queryset": Evaluation.objects.all()},
        }


class CertificateViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Decisions recognising products in the caller's scope; councils record new ones."""

    serializer_class = CertificateSerializer
    filterset_fields = ["product", "stars", "outcome"]

    def get_queryset(self):
        return selectors.certificates_visible(scope_for(self.request.user)).order_by(
            "-issued_on", "-pk"
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if not scope_for(self.request.user).contains(data["product"].unit):
            raise ValidationError({"product": [_("Sản phẩm ngoài phạm vi của bạn.")]})
        serializer.instance = _call(services.certificate_issue, user=self.request.user, **data)


class PublicProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="product.id")
    name = serializers.CharField(source="product.name")
    group = serializers.CharField(source="product.group")
    group_name = serializers.CharField(source="product.group_label")
    stars = serializers.IntegerField()
    subject = serializers.CharField(source="product.subject.public_name")
    subject_kind = serializers.CharField(source="product.subject.kind")
    commune = serializers.CharField(source="product.unit.name")
    commune_code = serializers.CharField(source="product.unit.code")
    decision_number = serializers.CharField(source="number")
    issued_on = serializers.DateField()
    valid_to = serializers.DateField()
    photo = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()

    def get_photo(self, obj) -> str | None:
        photo = obj.product.photo
        return photo.url if photo else None

    def get_contact(self, obj) -> dict | None:
        """Phone and e-mail of organisations only: never a household's personal data."""
        subject = obj.product.subject
        if subject.kind == SubjectKind.HOUSEHOLD:
            return None
        return {"phone": subject.phone, "email": subject.email}


class PublicProductViewSet(viewsets.ReadOnlyModelViewSet):
    """Products holding a valid OCOP certificate today (no login)."""

    serializer_class = PublicProductSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    filter_backends = []
    lookup_field = "product_id"

    def get_queryset(self):
        params = self.request.query_params
        stars = params.get("stars", "")
        return selectors.public_products(
            day=datetime.date.today(),
            stars=int_param(stars),
            group=params.get("group", ""),
        )
