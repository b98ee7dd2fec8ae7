import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ntm.units.catalogue import legacy_province_codes
from ntm.units.management.commands._history import run_import, write_template
from ntm.units.services import UnitLoadError, units_load


class Command(BaseCommand):
    help = (
        "Administrative units: `ntm units load --province 06` or `ntm units load --all`; "
        "history before 2025: `ntm units history FILE [--dry-run]`, "
        "`ntm units history --shipped 20`, `ntm units history-template -o f.xlsx`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load units from the vietnamadminunits catalogue")
        group = load.add_mutually_exclusive_group(required=True)
        group.add_argument("--province", action="append", help="legacy province code, e.g. 06")
        group.add_argument("--all", action="store_true", help="the whole country")
        sub.add_parser("provinces", help="List the legacy province codes")
        history = sub.add_parser("history", help="Nạp lịch sử thay đổi đơn vị trước 1/7/2025")
        source = history.add_mutually_exclusive_group(required=True)
        source.add_argument("file", nargs="?", help="tệp Excel theo mẫu lịch sử đơn vị")
        source.add_argument("--shipped", help="mã tỉnh: nạp lịch sử có nguồn kèm phần mềm")
        history.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        template = sub.add_parser("history-template", help="Mẫu Excel lịch sử đơn vị")
        template.add_argument("-o", "--output", required=True)

    def handle(self, *args, action, **options):
        if action == "history":
            run_import(
                self, file=options["file"], shipped=options["shipped"], dry_run=options["dry_run"]
            )
            return
        if action == "history-template":
            write_template(self.stdout, options["output"])
            return
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
