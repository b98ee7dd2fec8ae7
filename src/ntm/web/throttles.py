"""API throttles named in settings.REST_FRAMEWORK (kept apart from ntm.web.security: DRF
imports these while rest_framework.views itself is being imported)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _RateFromSettings:
    """DRF binds THROTTLE_RATES when the module is imported; read them on every request instead,
    so that a rate of None (tests) switches the throttle off and override_settings works."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_RateFromSettings, AnonRateThrottle):
    pass


class UserThrottle(_RateFromSettings, UserRateThrottle):
    pass
