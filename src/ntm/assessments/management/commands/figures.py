from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ntm.assessments.figures import (
    as_tuples,
    figures_computed,
    figures_rebuild,
    figures_stored,
)
from ntm.lib.freshness import forget_cached


class Command(BaseCommand):
    help = (
        "Figures kept on write: `ntm figures rebuild` recomputes them all; "
        "`ntm figures check` compares them with a recompute without writing."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="Recompute every maintained figure row")
        sub.add_parser("check", help="Compare the maintained rows with a full recompute")

    def handle(self, *args, action, **options):
        if action == "rebuild":
            count = figures_rebuild()
            forget_cached()  # a repair after raw writes: nothing kept before it holds
            self.stdout.write(_("Đã tính lại %(n)s dòng số liệu.") % {"n": count})
            return
        stored, computed = set(as_tuples(figures_stored())), set(as_tuples(figures_computed()))
        differ = len(stored ^ computed)
        self.stdout.write(
            _("%(n)s dòng số liệu; %(d)s dòng khác với tính lại.")
            % {"n": len(computed), "d": differ}
        )
        if differ:
            raise SystemExit(1)
