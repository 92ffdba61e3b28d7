"""Seed the violation categories of domain.md section 5 (admins edit them afterwards)."""

from django.db import migrations

ETHICS = [
    ("etik-apk", "Memasang alat peraga kampanye bakal calon"),
    ("etik-medsos-promosi", "Mempromosikan bakal calon di media sosial"),
    ("etik-hadir-deklarasi", "Menghadiri deklarasi/kampanye dan menunjukkan keberpihakan"),
    ("etik-interaksi-akun", "Mengunggah, mengomentari, membagikan, menyukai atau mengikuti akun tim kampanye"),
    ("etik-foto-atribut", "Berfoto bersama calon atau dengan atribut partai"),
    ("etik-ikut-kampanye", "Ikut serta dalam kegiatan kampanye atau sosialisasi"),
    ("etik-kampanye-pasangan", "Ikut kampanye pasangan (suami/istri) yang menjadi calon"),
]

DISCIPLINARY = [
    ("disiplin-apk", "Memasang alat peraga kampanye", "HEAVY"),
    ("disiplin-kampanye-daring", "Kampanye melalui media sosial/daring", "HEAVY"),
    ("disiplin-hadir-aktif", "Menghadiri kampanye dengan dukungan aktif", "HEAVY"),
    ("disiplin-interaksi-akun", "Mengunggah, mengomentari, membagikan, menyukai, mengikuti akun calon", "HEAVY"),
    ("disiplin-foto-atribut", "Berfoto dengan calon atau atribut partai", "HEAVY"),
    ("disiplin-dukungan-perseorangan", "Mendukung calon perseorangan (surat dukungan, salinan KTP)", "HEAVY"),
    ("disiplin-keputusan-menguntungkan", "Keputusan/tindakan yang menguntungkan atau merugikan calon", "HEAVY"),
    ("disiplin-mendekati-partai", "Mendekati partai politik untuk menjadi bakal calon", "MODERATE"),
    ("disiplin-tim-ahli", "Menjadi tim ahli/anggota tim bakal calon sebelum penetapan", "MODERATE"),
    ("disiplin-kegiatan-berpihak", "Mengadakan kegiatan yang berpihak (sumber berbeda: sedang atau berat)", "MODERATE"),
    ("disiplin-anggota-partai", "Menjadi anggota partai politik (pemberhentian tidak dengan hormat)", "HEAVY"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("violations", "ViolationCategory")
    for order, (code, name) in enumerate(ETHICS, 1):
        Category.objects.get_or_create(code=code, defaults={"kind": "ETHICS", "name": name, "order": order})
    for order, (code, name, level) in enumerate(DISCIPLINARY, 1):
        Category.objects.get_or_create(
            code=code, defaults={"kind": "DISCIPLINARY", "name": name, "order": order, "usual_level": level}
        )


class Migration(migrations.Migration):
    dependencies = [("violations", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
