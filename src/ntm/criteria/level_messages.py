"""The texts of the shipped recognition levels (criteria/data/recognition_levels.json), named
here so that `makemessages` puts them in the catalogues: the levels are data, read at run time,
and a text only in a data file would never be translated. tests/criteria/test_levels.py checks
that this list and the data file agree. A province's own levels file
(NTM_RECOGNITION_LEVELS_FILE) shows its texts as written.
"""

from django.utils.translation import gettext_noop

MESSAGES = (
    gettext_noop("Đạt chuẩn nông thôn mới"),
    gettext_noop("đạt chuẩn NTM"),
    gettext_noop("xã đạt chuẩn nông thôn mới"),
    gettext_noop("Nông thôn mới nâng cao"),
    gettext_noop("NTM nâng cao"),
    gettext_noop("xã đạt chuẩn nông thôn mới nâng cao"),
    gettext_noop("Nông thôn mới kiểu mẫu"),
    gettext_noop("NTM kiểu mẫu"),
    gettext_noop("xã đạt chuẩn nông thôn mới kiểu mẫu"),
    gettext_noop("Thôn đạt chuẩn nông thôn mới"),
    gettext_noop("Thôn NTM"),
    gettext_noop("thôn đạt chuẩn nông thôn mới"),
    gettext_noop("Huyện đạt chuẩn nông thôn mới"),
    gettext_noop("Huyện NTM"),
    gettext_noop("huyện đạt chuẩn nông thôn mới"),
)
