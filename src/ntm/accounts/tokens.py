"""API tokens that expire and can be revoked.

A user holds at most one token (DRF's `authtoken.Token`, whose `created` is the start of its
life). It is valid for `settings.API_TOKEN_DAYS` days (environment API_TOKEN_DAYS, default 30);
an expired token is refused with 401 and a Vietnamese message. The user creates a new token (shown
once) and revokes it from the account page (`/accounts/`); the token endpoint hands out a fresh
one when the stored one has expired.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

PREFIX_LENGTH = 8  # what the account page shows of a token (and names it by when revoking)


def token_days() -> int:
    return max(1, int(getattr(settings, "API_TOKEN_DAYS", 30)))


def expires_at(token: Token) -> datetime.datetime:
    return token.created + datetime.timedelta(days=token_days())


def is_expired(token: Token, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) >= expires_at(token)


def token_of(user) -> Token | None:
    return Token.objects.filter(user=user).first()


@transaction.atomic
def token_create(*, user) -> Token:
    """A new token for the user, replacing the one they had (which stops working at once)."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def token_for_login(*, user) -> Token:
    """The token endpoint's answer: the user's token while it lasts, else a new one."""
    token = token_of(user)
    if token is None or is_expired(token):
        token = token_create(user=user)
    return token


def token_revoke(*, user, prefix: str) -> None:
    """Revoke the user's own token named by its first characters; 404 for any other token
    (another user's included: whether it exists is not told)."""
    prefix = (prefix or "").strip()
    if len(prefix) != PREFIX_LENGTH:
        raise Http404
    deleted, _rows = Token.objects.filter(user=user, key__startswith=prefix).delete()
    if not deleted:
        raise Http404


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than API_TOKEN_DAYS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            raise exceptions.AuthenticationFailed(
                _(
                    "Mã truy cập API đã hết hạn (dùng được %(days)s ngày). Hãy tạo mã mới ở "
                    "trang Tài khoản."
                )
                % {"days": token_days()}
            )
        return user, token
