import time

from django.core.management.base import BaseCommand

from ntm.accounts.demo import DEMO_PASSWORD, demo_users_ensure
from ntm.assessments.demo import demo_current_ensure, demo_results_ensure
from ntm.criteria.services import criteria_load
from ntm.ocop.demo import demo_ocop_ensure
from ntm.plans.demo import demo_plan_ensure
from ntm.resources.demo import demo_resources_ensure
from ntm.units.demo import demo_villages_ensure
from ntm.units.models import Unit
from ntm.units.services import units_load

DEMO_PROVINCES = ["06", "20"]


class Command(BaseCommand):
    help = "Load the demo data (Bắc Kạn 06 and Lạng Sơn 20, demo users). Safe to run again."

    def handle(self, *args, **options):
        started = time.monotonic()
        if not Unit.objects.filter(level=1, code__in=DEMO_PROVINCES).exists():
            self.stdout.write("Nạp đơn vị hành chính của Bắc Kạn (06) và Lạng Sơn (20)...")
        result = units_load(province_codes=DEMO_PROVINCES)
        self.stdout.write(f"Đơn vị: tạo mới {result.created}, không đổi {result.unchanged}.")
        loaded = criteria_load()
        self.stdout.write(
            f"Bộ tiêu chí: tạo mới {len(loaded.created)}, cập nhật {len(loaded.updated)}, "
            f"không đổi {len(loaded.unchanged)}."
        )
        written = demo_results_ensure()
        if written:
            self.stdout.write(
                f"Kết quả mẫu Bắc Kạn 2022-2023 và Lạng Sơn 2019-2020: {written} kết quả, kèm "
                "quyết định công nhận (dựng từ số liệu tổng hợp tỉnh đã công bố)."
            )
        if demo_plan_ensure():
            self.stdout.write(
                "Kế hoạch 125/KH-UBND năm 2023 của Bắc Kạn và các chỉ tiêu đã công bố."
            )
        current = demo_current_ensure()
        if current:
            self.stdout.write(f"Kết quả mẫu năm 2026 của tỉnh Thái Nguyên mới: {current} xã.")
        users = demo_users_ensure()  # before OCOP: a user chairs the sample council
        extra = {
            "thôn": demo_villages_ensure(),
            "OCOP (sản phẩm, đợt đánh giá)": demo_ocop_ensure(),
            "nguồn lực (vốn, đóng góp, mức quy đổi)": demo_resources_ensure(),
        }
        for label, n in extra.items():
            if n:
                self.stdout.write(f"Dữ liệu mẫu {label}: {n} bản ghi.")
        self.stdout.write("")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):")
        for spec, created in users:
            mark = "mới" if created else "đã có"
            self.stdout.write(f"  {spec.username:<12} {spec.full_name} ({mark})")
        self.stdout.write(f"Xong sau {time.monotonic() - started:.1f} giây.")
