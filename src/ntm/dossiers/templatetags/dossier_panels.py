"""Small panels other apps' pages include: `{% load dossier_panels %}{% merged_panel unit %}`."""

from django import template

from ntm.reports.merged import merged_of_commune

register = template.Library()


@register.inclusion_tag("dossiers/_merged_panel.html")
def merged_panel(unit):
    """For a commune formed on 1/7/2025: its predecessors' standing (nothing for other units,
    and no query)."""
    return {"row": merged_of_commune(unit)}


@register.inclusion_tag("dossiers/_public_documents.html")
def public_dossier_documents(unit):
    """The documents a commune's recognition dossiers hold: names for everyone, the file only
    when published."""
    from ntm.dossiers.selectors import public_documents

    return {"documents": public_documents(unit)}
