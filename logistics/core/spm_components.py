"""The SPM components of the disaster service and their sub-kegiatan codes, shared by every domain."""

# The SPM components of the disaster service (DOMAIN.md section 8), with their sub-kegiatan codes.
# Hand-outs, the budget tree and the SPM settings all name them; this list uses nothing else.
SPM_COMPONENTS = {
    "permakanan": "Penyediaan makanan (permakanan)",
    "sandang": "Penyediaan sandang",
    "tempat_penampungan": "Penyediaan tempat penampungan pengungsi",
    "kelompok_rentan": "Penanganan khusus bagi kelompok rentan",
    "psikososial": "Pelayanan dukungan psikososial",
}
SPM_SUBKEGIATAN = {
    "permakanan": "1.06.06.2.01.0001",
    "sandang": "1.06.06.2.01.0002",
    "tempat_penampungan": "1.06.06.2.01.0003",
    "kelompok_rentan": "1.06.06.2.01.0004",
    "psikososial": "1.06.06.2.01.0005",
}
# Preparedness and performance-agreement outputs of the year-end report (DOMAIN.md section 9).
OUTPUT_INDICATORS = {
    "tagana": "Taruna Siaga Bencana (Tagana) dikerahkan",
    "ksb": "Kampung Siaga Bencana (KSB) dibentuk",
    "lumbung_sosial": "Kelurahan/desa dengan lumbung sosial",
    "persen_korban_dibantu": "Persentase korban bencana yang menerima bantuan sosial",
}
# Indicators a target can be set for and a budget level can report on: the components, the SPM
# percentage itself, the outputs.
INDICATORS = {
    **SPM_COMPONENTS,
    "capaian_spm": "Capaian SPM (% korban terpenuhi)",
    **OUTPUT_INDICATORS,
}
