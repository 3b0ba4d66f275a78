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
