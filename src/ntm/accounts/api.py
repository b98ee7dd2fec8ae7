from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ntm.accounts.models import User
from ntm.accounts.scope import scope_for


class MeSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", default=None)
    unit_name = serializers.CharField(source="unit.name", default=None)
    can_write = serializers.SerializerMethodField()
    scope_all = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "role",
            "department",
            "unit",
            "unit_code",
            "unit_name",
            "can_write",
            "scope_all",
        ]

    def get_can_write(self, user) -> bool:
        return scope_for(user).can_write

    def get_scope_all(self, user) -> bool:
        return scope_for(user).everything


class MeView(APIView):
    """The signed-in user, their role and unit."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
