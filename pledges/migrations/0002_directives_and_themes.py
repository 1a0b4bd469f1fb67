"""Load Directives 03-CT/TW and 05-CT/TW and the national study themes (chuyên đề năm)."""

import datetime as dt
import unicodedata

from django.db import migrations

DIRECTIVES = [
    {
        "code": "03-CT/TW",
        "title": "Tiếp tục đẩy mạnh việc học tập và làm theo tấm gương đạo đức Hồ Chí Minh",
        "issued_on": dt.date(2011, 5, 14),
        "issuer": "Bộ Chính trị khóa XI",
        "description": (
            "Thực hiện gắn với Nghị quyết Trung ương 4 khóa XI \u201cMột số vấn đề cấp bách về xây dựng "
            "Đảng hiện nay\u201d."
        ),
    },
    {
        "code": "05-CT/TW",
        "title": "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "issued_on": dt.date(2016, 5, 15),
        "issuer": "Bộ Chính trị khóa XII",
        "description": "Kế thừa Chỉ thị 03-CT/TW.",
    },
]

_TAM_GUONG = "Học tập và làm theo tấm gương đạo đức Hồ Chí Minh về "
_TU_TUONG = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về "
_KHOA_XIII = (
    _TU_TUONG + "ý chí tự lực, tự cường và khát vọng phát triển đất nước phồn vinh, hạnh phúc"
)

NATIONAL_THEMES = [
    ("03-CT/TW", 2013, _TAM_GUONG + "phong cách quần chúng, dân chủ, nêu gương; nêu cao trách nhiệm "
     "gương mẫu của cán bộ, đảng viên, nhất là cán bộ lãnh đạo chủ chốt các cấp"),
    ("03-CT/TW", 2014, _TAM_GUONG + "nêu cao tinh thần trách nhiệm, chống chủ nghĩa cá nhân, nói đi đôi với làm"),
    ("03-CT/TW", 2015, _TAM_GUONG + "trung thực, trách nhiệm; gắn bó với nhân dân; đoàn kết, xây dựng Đảng "
     "trong sạch, vững mạnh"),
    ("05-CT/TW", 2017, _TU_TUONG + "phòng, chống suy thoái tư tưởng chính trị, đạo đức, lối sống, "
     "\u201ctự diễn biến\u201d, \u201ctự chuyển hóa\u201d trong nội bộ"),
    ("05-CT/TW", 2018, "Xây dựng phong cách, tác phong công tác của người đứng đầu, của cán bộ, đảng viên "
     "trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("05-CT/TW", 2019, "Xây dựng ý thức tôn trọng Nhân dân, phát huy dân chủ, chăm lo đời sống Nhân dân "
     "theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    ("05-CT/TW", 2020, "Tăng cường khối đại đoàn kết toàn dân tộc, xây dựng Đảng và hệ thống chính trị "
     "trong sạch, vững mạnh theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
    *[("05-CT/TW", year, _KHOA_XIII) for year in range(2021, 2026)],
]


def _nfc(value):
    return unicodedata.normalize("NFC", value)


def load(apps, schema_editor):
    Directive = apps.get_model("pledges", "Directive")
    AnnualTheme = apps.get_model("pledges", "AnnualTheme")
    by_code = {}
    for row in DIRECTIVES:
        values = {k: _nfc(v) if isinstance(v, str) else v for k, v in row.items() if k != "code"}
        by_code[row["code"]], _ = Directive.objects.update_or_create(code=row["code"], defaults=values)
    for code, year, title in NATIONAL_THEMES:
        AnnualTheme.objects.update_or_create(
            directive=by_code[code], year=year, province=None, defaults={"title": _nfc(title)}
        )


def unload(apps, schema_editor):
    Directive = apps.get_model("pledges", "Directive")
    AnnualTheme = apps.get_model("pledges", "AnnualTheme")
    for code, year, _title in NATIONAL_THEMES:
        AnnualTheme.objects.filter(directive__code=code, year=year, province=None).delete()
    # A directive still referenced (pledges, provincial themes) is protected and stops the reversal.
    Directive.objects.filter(code__in=[row["code"] for row in DIRECTIVES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
