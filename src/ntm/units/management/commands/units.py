import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ntm.units.catalogue import legacy_province_codes
from ntm.units.services import UnitLoadError, units_load


class Command(BaseCommand):
    help = "Administrative units: `ntm units load --province 06` or `ntm units load --all`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load units from the vietnamadminunits catalogue")
        group = load.add_mutually_exclusive_group(required=True)
        group.add_argument("--province", action="append", help="legacy province code, e.g. 06")
        group.add_argument("--all", action="store_true", help="the whole country")
        sub.add_parser("provinces", help="List the legacy province codes")

    def handle(self, *args, action, **options):
        if action == "provinces":
            for code, name in sorted(legacy_province_codes().items()):
                self.stdout.write(f"{code}  {name}")
            return
        codes = None if options["all"] else options["province"]
        started = time.perf_counter()
        bar = tqdm(desc="Nạp đơn vị", unit=" đơn vị", disable=options["verbosity"] < 1)
        try:
            result = units_load(province_codes=codes, progress=bar.update)
        except UnitLoadError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.stdout.write(
            f"Tạo mới {result.created}, cập nhật {result.updated}, không đổi {result.unchanged}; "
            f"liên kết cũ-mới: tạo {result.links_created}, cập nhật {result.links_updated} "
            f"({time.perf_counter() - started:.1f} s)"
        )
