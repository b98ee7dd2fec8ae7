import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the application with gunicorn (production server)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("NTM_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("NTM_WORKERS", "3")))
        parser.add_argument("--timeout", type=int, default=120)

    def handle(self, *args, bind, workers, timeout, **options):
        argv = [
            sys.executable, "-m", "gunicorn", "ntm.wsgi:application",
            "--bind", bind, "--workers", str(workers), "--timeout", str(timeout),
            "--access-logfile", "-", "--forwarded-allow-ips", "*",
        ]  # fmt: skip
        self.stdout.write(f"NTM: http://{bind}/ ({workers} workers)")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
