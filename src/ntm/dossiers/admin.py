from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ntm.dossiers.models import Dossier, DossierDocument, SatisfactionSurvey, SatisfactionThreshold


@admin.register(Dossier)
class DossierAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "level", "year", "criteria_set", "deadline", "recognition"]
    list_filter = ["year", "level"]
    raw_id_fields = ["unit", "recognition"]


admin.site.register(DossierDocument, SimpleHistoryAdmin)
admin.site.register(SatisfactionSurvey, SimpleHistoryAdmin)
admin.site.register(SatisfactionThreshold, SimpleHistoryAdmin)
