import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ntm.accounts.scope import Scope
from ntm.web.boundaries import BoundaryError, boundaries_load


class Command(BaseCommand):
    help = (
        "Commune boundaries for the map: `ntm boundaries ranh-gioi.geojson [--date dd/mm/yyyy]` "
        "(each feature: a Polygon or MultiPolygon and the commune code in `code` or `ma_xa`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--date", help="the day the codes are read on (default: today)")

    def handle(self, *args, path, date, **options):
        on = datetime.date.today()
        if date:
            try:
                on = datetime.datetime.strptime(date, "%d/%m/%Y").date()
            except ValueError as exc:
                raise CommandError(f"Ngày {date!r} không đúng dạng dd/mm/yyyy.") from exc
        everything = Scope(user=None, everything=True, prefixes=(), can_write=True)
        try:
            n = boundaries_load(data=Path(path).read_bytes(), on=on, scope=everything)
        except BoundaryError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path}: {exc}") from exc
        self.stdout.write(f"Đã lưu ranh giới của {n} xã.")
