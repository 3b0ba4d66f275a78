"""Berita Acara Serah Terima: the printed BAST of stock documents and distribution batches."""
