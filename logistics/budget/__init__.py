"""The budget tree (program, kegiatan, sub-kegiatan), pagu and realisation."""
